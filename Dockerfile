# syntax=docker/dockerfile:1
# Neural Playground for a class, on one machine:
#   docker build -t neural-playground .
#   docker run --rm -p 8501:8501 neural-playground        # then open http://<host>:8501
# Several replicas behind a proxy need one shared cookie secret (README, "Serving a class"):
#   docker run -e STREAMLIT_SERVER_COOKIE_SECRET=<long random string> ...
# Replicas behind HAProxy on one host: deploy/compose.yaml; on Kubernetes: deploy/k8s/.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The CPU build of torch first, in its own layer (big, rarely changes). A bare "torch" from PyPI
# would pull a multi-GB CUDA build; the app runs without torch too (NumPy engine only).
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# The library and its dependencies (numpy, plotly, streamlit); pyproject.toml names README.md.
COPY pyproject.toml README.md ./
COPY playground ./playground
RUN pip install .

# The app. Streamlit puts the entry script's folder first on sys.path, so the pages import
# /app/playground, the same code as the installed copy (which serves `python -m playground`).
COPY streamlit_app.py ./
COPY pages ./pages
COPY .streamlit ./.streamlit

RUN groupadd --gid 10001 playground && useradd --create-home --uid 10001 --gid 10001 playground
USER 10001:10001

EXPOSE 8501
# slim has no curl: ask the health endpoint with Python.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; assert u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() == b'ok'"]

CMD ["streamlit", "run", "streamlit_app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
