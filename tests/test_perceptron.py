"""McCulloch–Pitts gates, Rosenblatt's perceptron, and XOR with one hidden layer (playground/teach/perceptron.py, playground/teach/xor.py)."""
import numpy as np
import pytest

from playground.run.config import from_query
from playground.teach.perceptron import (
    GATES, Perceptron, boundary_segment, convergence_text, find_mp_weights, gate_inputs, gate_matches, logic_data,
    make_perceptron, mp_neuron, truth_table, update_markdown,
)
from playground.teach.xor import (
    class1_probability, decision_surface, hidden_activations, hidden_view, pca_2d, XOR_SOURCES, xor_config,
    xor_table_data, xor_trainer,
)

# ----- McCulloch–Pitts ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n, g in GATES.items() if g.weights is not None])
def test_textbook_weights_compute_the_gate(name):
    g = GATES[name]
    assert gate_matches(name, g.weights, g.threshold)
    rows = truth_table(name, g.weights, g.threshold)
    assert [r["match"] for r in rows] == ["✓"] * 2 ** g.n_inputs


def test_truth_tables_of_the_gates():
    X = gate_inputs(2)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert GATES["AND"].fn(X).tolist() == [0, 0, 0, 1]
    assert GATES["OR"].fn(X).tolist() == [0, 1, 1, 1]
    assert GATES["NAND"].fn(X).tolist() == [1, 1, 1, 0]
    assert GATES["NOR"].fn(X).tolist() == [1, 0, 0, 0]
    assert GATES["XOR"].fn(X).tolist() == [0, 1, 1, 0]
    assert GATES["NOT"].fn(gate_inputs(1)).tolist() == [1, 0]


def test_truth_table_rows_show_sum_output_and_mismatch():
    rows = truth_table("AND", (1.0, 1.0), 1.0)  # threshold 1 is OR, not AND
    assert [r["sum"] for r in rows] == [0.0, 1.0, 1.0, 2.0]
    assert [r["neuron"] for r in rows] == [0, 1, 1, 1]
    assert [r["gate"] for r in rows] == [0, 0, 0, 1]
    assert [r["match"] for r in rows] == ["✓", "✗", "✗", "✓"]
    assert not gate_matches("AND", (1.0, 1.0), 1.0)


def test_mp_neuron_fires_at_the_threshold():
    assert mp_neuron(np.array([[1, 1], [1, 0]]), (1, 1), 2).tolist() == [1, 0]
    with pytest.raises(ValueError, match="one weight per input"):
        mp_neuron(np.array([[1, 1]]), (1,), 1)


def test_no_single_neuron_computes_xor_but_a_search_finds_the_others():
    assert find_mp_weights("XOR", values=range(-3, 4)) is None
    for name in ("AND", "OR", "NAND", "NOR", "NOT"):
        w, theta = find_mp_weights(name)
        assert gate_matches(name, w, theta)


def test_unknown_gate_lists_the_allowed_names():
    with pytest.raises(ValueError, match="unknown gate 'XNOR'.*AND, OR"):
        truth_table("XNOR", (1, 1), 1)


# ----- the perceptron ------------------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND", "NOR"])
def test_perceptron_converges_on_separable_gates_within_a_few_epochs(gate):
    epochs = []
    for seed in range(30):
        p = make_perceptron(gate, lr=1.0, seed=seed)
        p.train(epochs=100)
        assert p.converged and p.errors() == 0, f"seed {seed}"
        assert (p.predict(p.X) == p.y).all()
        epochs.append(p.epoch)
    assert max(epochs) <= 15
    assert np.median(epochs) <= 8


def test_convergence_is_reported_at_the_last_mistake_not_the_epochs_trained():
    p = make_perceptron("AND", lr=1.0, seed=0)
    p.train(epochs=20)
    assert p.mistakes == [3, 2, 1, 1, 0]
    for _ in range(10):  # a teacher keeps pressing Epoch after it converged: nothing changes
        p.run_epoch()
    assert p.epoch == 15 and p.last_mistake_epoch == 4 and p.converged_epoch == 5
    text = convergence_text(p)
    assert text.startswith("Converged after 5 epochs: the last mistake was in epoch 4")
    assert "trained for 15 epochs" in text and "after 15" not in text


def test_convergence_text_when_the_random_start_was_already_right():
    p = next(p for p in (make_perceptron("OR", seed=s) for s in range(200)) if not p.errors())
    p.run_epoch()
    assert p.mistakes == [0] and p.last_mistake_epoch == 0 and p.converged_epoch == 1
    assert convergence_text(p) == ("Converged after 1 epoch: the random start was already right: "
                                   "epoch 1 made no mistake")
    x = make_perceptron("XOR")
    x.run_epoch()
    assert x.converged_epoch is None
    with pytest.raises(ValueError, match="not converged"):
        convergence_text(x)


def test_a_linear_network_on_xor_does_about_as_well_as_a_coin():
    """What the Perceptron page says of a linear hidden layer: about half of the points, not 3 of 4 corners."""
    test = []
    for source in XOR_SOURCES:
        for seed in range(1, 11):
            t = xor_trainer(source, 2, "linear", 0.1, str(seed))
            t.run(epochs=300)
            test.append(t.summary()["test_accuracy"])
    assert max(test) < 0.75 and 0.4 <= float(np.median(test)) <= 0.6


def test_perceptron_never_learns_xor():
    for seed in range(10):
        p = make_perceptron("XOR", lr=1.0, seed=seed)
        p.train(epochs=100)
        assert p.epoch == 100 and not p.converged
        assert min(p.mistakes) >= 1  # every single epoch made a mistake
        assert p.errors() >= 1


def test_one_step_is_the_learning_rule():
    p = make_perceptron("AND", lr=0.5, seed=3)
    for _ in range(8):
        before = p.wb.copy()
        u = p.step()
        xa = np.append(p.X[u.index], 1.0)
        z = float(xa @ before)
        assert u.z == pytest.approx(z)
        assert u.y_hat == int(z >= 0) and u.y == p.y[u.index]
        np.testing.assert_allclose(u.delta, 0.5 * (u.y - u.y_hat) * xa)
        np.testing.assert_allclose(p.wb, before + u.delta)
        np.testing.assert_allclose(u.w, p.wb)


def test_an_epoch_shows_every_example_once_and_counts_mistakes():
    p = make_perceptron("OR", seed=5)
    updates = p.run_epoch()
    assert sorted(u.index for u in updates) == [0, 1, 2, 3]
    assert p.epoch == 1 and p.position == 0
    assert p.mistakes == [sum(u.mistake for u in updates)]
    p.step()  # part way through epoch 2: Epoch finishes only the rest
    assert p.position == 1 and len(p.run_epoch()) == 3 and p.epoch == 2


def test_seed_fixes_the_start_and_the_order():
    a, b, c = make_perceptron("XOR", seed=7), make_perceptron("XOR", seed=7), make_perceptron("XOR", seed=8)
    a.train(5)
    b.train(5)
    c.train(5)
    assert a.mistakes == b.mistakes and np.array_equal(a.wb, b.wb)
    assert not np.array_equal(a.wb, c.wb)
    fixed = make_perceptron("AND", seed=1, shuffle=False)
    assert [u.index for u in fixed.run_epoch()] == [0, 1, 2, 3]


def test_perceptron_rejects_bad_input():
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        Perceptron(np.zeros((2, 2)), np.array([0, 2]), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="learning rate must be > 0"):
        Perceptron(*logic_data("AND"), rng=np.random.default_rng(0), lr=0.0)
    with pytest.raises(ValueError, match="2-input gates"):
        logic_data("NOT")


def test_update_markdown_shows_the_numbers():
    p = make_perceptron("AND", lr=1.0, seed=0)
    u = p.step()  # example (0, 0), z = b = -0.459 < 0: right, no change
    text = update_markdown(u, p.lr)
    assert "| z = w·x | −0.459 |" in text and "✓ right" in text
    assert "1 · (0 − 0) · (0, 0, 1) = (0, 0, 0)" in text


def test_boundary_segment_lies_on_the_line_inside_the_box():
    box = (-0.5, 1.5, -0.5, 1.5)
    for w, b in [((1.0, 1.0), -1.5), ((2.0, -1.0), 0.2), ((0.0, 1.0), -0.5), ((1.0, 0.0), -1.0)]:
        (xa, ya), (xb, yb) = boundary_segment(w, b, box)
        for x, y in [(xa, ya), (xb, yb)]:
            assert w[0] * x + w[1] * y + b == pytest.approx(0, abs=1e-9)
            assert box[0] - 1e-9 <= x <= box[1] + 1e-9 and box[2] - 1e-9 <= y <= box[3] + 1e-9
        assert (xa, ya) != (xb, yb)
    assert boundary_segment((0.0, 0.0), 1.0, box) is None  # no line at all
    assert boundary_segment((1.0, 1.0), 10.0, box) is None  # the line misses the box


# ----- XOR with a hidden layer ----------------------------------------------------------------------


def test_pca_2d_reconstructs_planar_data():
    rng = np.random.default_rng(0)
    U0, P0 = rng.normal(size=(50, 2)), np.linalg.qr(rng.normal(size=(4, 2)))[0]
    A = 3.0 + U0 @ P0.T
    U, P, mean, explained = pca_2d(A)
    np.testing.assert_allclose(mean + U @ P.T, A, atol=1e-12)
    np.testing.assert_allclose(P.T @ P, np.eye(2), atol=1e-12)
    assert explained.sum() == pytest.approx(1.0) and explained[0] >= explained[1]


@pytest.mark.parametrize("h", [1, 2, 3, 6])
@pytest.mark.parametrize("k", [1, 2])
def test_hidden_view_line_classifies_like_the_output_unit(h, k):
    rng = np.random.default_rng(h + 10 * k)
    A = np.tanh(rng.normal(size=(80, h)) * 2)
    W_o = rng.normal(size=(h, k))
    b_o = -np.median(A @ W_o, axis=0) + 0.01 * rng.normal(size=k)  # a line through the cloud
    z = A @ W_o + b_o
    decision = z[:, 0] >= 0 if k == 1 else z[:, 1] >= z[:, 0]  # sign / softmax argmax
    view = hidden_view([(None, None), (W_o, b_o)], A)
    w, c = view.line
    assert ((view.points @ w + c >= 0) == decision).all()
    assert view.method == {1: "one unit", 2: "units"}.get(h, "projection")
    assert decision.any() and not decision.all()


def test_xor_table_data_is_the_truth_table_centred():
    d = xor_table_data(np.random.default_rng(0), per_corner=10, spread=0.0)
    assert len(d) == 40 and d.n_classes == 2
    corners = {tuple(x): int(y) for x, y in zip(d.X, d.y)}
    assert corners == {(-1.0, -1.0): 0, (-1.0, 1.0): 1, (1.0, -1.0): 1, (1.0, 1.0): 0}


def test_xor_needs_a_non_linear_hidden_layer():
    linear = xor_trainer("table", hidden=2, activation="linear")
    linear.run(epochs=300)
    assert linear.summary()["test_accuracy"] <= 0.75
    tanh = xor_trainer("table", hidden=2, activation="tanh")
    tanh.run(epochs=300)
    assert tanh.summary()["test_accuracy"] >= 0.95
    # In the hidden layer's space one straight line now separates the classes.
    view = hidden_view(tanh.params, hidden_activations(tanh, tanh.data.X))
    w, c = view.line
    assert ((view.points @ w + c >= 0).astype(int) == tanh.data.y).mean() >= 0.95


def test_decision_surface_is_a_probability_grid():
    t = xor_trainer("quadrants", hidden=3, activation="relu")
    xs, ys, Z = decision_surface(t, resolution=20)
    assert Z.shape == (20, 20) and xs[0] == -6 and xs[-1] == 6
    assert (Z >= 0).all() and (Z <= 1).all()


def test_class1_probability_for_each_output():
    from playground.core.losses import LOSSES

    assert class1_probability(LOSSES["square"], np.array([[-1.0], [1.0]])).tolist() == [0.0, 1.0]
    assert class1_probability(LOSSES["bce"], np.array([[0.3]])).tolist() == [0.3]
    assert class1_probability(LOSSES["ce"], np.array([[0.3, 0.7]])).tolist() == [0.7]


def test_xor_config_round_trips_through_a_link():
    cfg = xor_config(hidden=3, activation="relu", lr=0.3, seed="7")
    q = cfg.to_query()
    assert "dataset=xor" in q and "hidden=3" in q and "activation=relu" in q
    assert from_query(q) == (cfg, [])
    with pytest.raises(ValueError, match="unknown XOR source"):
        xor_trainer("spiral")
