"""Config: defaults, validation messages, URL round-trip, never-raising decoding, caps."""
import dataclasses

import pytest

from playground.run.config import FIELDS, Config, from_query, normalize, rng_for, seed_int, to_query
from playground.run.config_parse import ConfigError
from playground.run.sizes import CAPS, layer_sizes, task_of


def test_defaults_are_tf_playground():
    c = Config()
    assert (c.dataset, c.noise, c.train, c.batch, c.hidden, c.activation, c.loss, c.lr) == (
        "circle", 0, 50, 10, (4, 2), ("tanh",), "square", 0.03)
    assert c.activations() == ("tanh", "tanh")


def test_default_query_is_stable():
    # Links are public: the normalised query of the defaults must not drift.
    assert to_query(Config()) == (
        "dataset=circle&noise=0&train=50&batch=10&seed=1&features=x1,x2&hidden=4,2&activation=tanh"
        "&loss=square&optimizer=sgd&lr=0.03&reg=none&reg_rate=0&dropout=0&init=uniform&engine=numpy")


@pytest.mark.parametrize("query", [
    "dataset=xor&hidden=4&activation=relu&lr=0.1",
    "dataset=spiral&hidden=8,8,8&activation=relu,tanh,sigmoid&optimizer=adam&lr=0.003&reg=l2&reg_rate=0.001",
    "dataset=reg-gauss&loss=huber&hidden=&features=x1,x2,x1sq,sinx1&dropout=0.2&init=he&seed=lesson-3",
    "dataset=blobs&classes=5&loss=ce&batch=1&train=90&noise=50&clip=1.5&dtype=float64&shuffle=0&patience=20",
    "dataset=digits&loss=ce&hidden=32&engine=torch&max_epochs=100&target_loss=0.05&init_scale=2",
])
def test_round_trip(query):
    cfg, warnings = from_query(query)
    assert warnings == []
    again, w2 = from_query(to_query(cfg))
    assert again == cfg and w2 == []


def test_full_url_and_fragment():
    cfg, w = from_query("https://example.org/playground?dataset=xor&hidden=3#top")
    assert cfg.dataset == "xor" and cfg.hidden == (3,) and w == []


def test_no_hidden_layers():
    cfg, w = from_query("hidden=")
    assert cfg.hidden == () and w == []


@pytest.mark.parametrize("query, field, bad", [
    ("lr=nan", "lr", "nan"),
    ("lr=-1", "lr", "-1"),
    ("lr=1e9", "lr", "1000000000"),
    ("noise=51", "noise", "51"),
    ("train=5", "train", "5"),
    ("batch=0", "batch", "0"),
    ("hidden=65", "hidden", "65"),
    ("hidden=" + ",".join(["4"] * 9), "hidden", "9"),
    ("activation=step", "activation", "step"),
    ("activation=swoosh", "activation", "swoosh"),
    ("dataset=%3Cscript%3Ealert(1)%3C/script%3E", "dataset", "<script>"),
    ("optimizer=lbfgs", "optimizer", "lbfgs"),
    ("features=x1,x1", "features", "x1,x1"),
    ("features=x9", "features", "x9"),
    ("dropout=0.95", "dropout", "0.95"),
    ("seed=" + "a" * 40, "seed", "a"),
    ("init=ones", "init", "ones"),
    ("engine=jax", "engine", "jax"),
])
def test_bad_values_fall_back_and_are_named(query, field, bad):
    cfg, warnings = from_query(query)
    assert getattr(cfg, field) == getattr(Config(), field)
    assert len(warnings) == 1 and warnings[0].startswith(field) and bad in warnings[0]
    assert "default" in warnings[0]


def test_unknown_and_repeated_keys_reported():
    cfg, warnings = from_query("foo=1&lr=0.1&lr=0.3")
    assert cfg.lr == 0.3
    assert any("'foo'" in w for w in warnings) and any("more than once" in w for w in warnings)


def test_loss_must_fit_dataset():
    cfg, warnings = from_query("dataset=reg-plane&loss=square")
    assert cfg.loss == "mse" and "does not fit" in warnings[0]
    cfg, warnings = from_query("dataset=spiral3&loss=bce")
    assert cfg.loss == "ce" and warnings
    # Without an explicit loss the dataset's default pair is chosen silently.
    cfg, warnings = from_query("dataset=iris")
    assert cfg.loss == "ce" and warnings == []


def test_activation_list_must_match_layers():
    cfg, warnings = from_query("hidden=4,4&activation=relu,tanh,sigmoid")
    assert cfg.activation == ("relu",) and "3 names for 2 hidden layers" in warnings[0]
    cfg, _ = from_query("hidden=4,4&activation=relu,relu")
    assert cfg.activation == ("relu",)  # one name covers all layers


def test_huge_inputs_are_capped():
    cfg, warnings = from_query("hidden=" + ",".join(["64"] * 1000))
    assert cfg.hidden == (4, 2) and warnings
    cfg, warnings = from_query("seed=" + "9" * 10_000)
    assert cfg.seed == "1" and "characters" in warnings[0]
    cfg, warnings = from_query("&".join(f"k{i}=1" for i in range(500)))
    assert cfg == Config() and warnings


def test_direct_construction_validates():
    with pytest.raises(ConfigError, match="lr must be"):
        Config(lr=0)
    with pytest.raises(ConfigError, match="hidden"):
        Config(hidden=(100,))
    with pytest.raises(ConfigError, match="does not fit"):
        Config(dataset="reg-plane", loss="ce")
    assert Config().replace(lr=0.1).lr == 0.1
    with pytest.raises(ConfigError):
        Config().replace(noise=99)


def test_normalize_accepts_typed_values():
    cfg, w = normalize({"hidden": [8, 8], "lr": 0.1, "shuffle": False, "features": ["x1", "x2", "x1x2"]})
    assert cfg.hidden == (8, 8) and cfg.shuffle is False and cfg.features == ("x1", "x2", "x1x2") and w == []


def test_every_field_has_a_rule():
    cfg = Config()
    for f in FIELDS:
        # Replacing with the default value is valid; replacing with a wrong type is reported.
        c, w = normalize({f: getattr(cfg, f)})
        assert w == [] and getattr(c, f) == getattr(cfg, f)
        c, w = normalize({f: object()})
        assert w and w[0].startswith(f) and w[0].field == f


def test_warnings_carry_the_field_they_refused():
    _, w = normalize({"lr": "fast", "zzz": 1, "hidden": "4,4", "activation": "relu,tanh,relu", "dataset": "xor",
                      "loss": "mse"})
    by = {x.field: x for x in w}
    assert sorted(by, key=str) == sorted([None, "lr", "activation", "loss"], key=str) and len(w) == 4
    assert by["lr"] == "lr must be a number, got 'fast'; using default '0.03'"  # the text is unchanged
    assert by["lr"].problem == "lr must be a number, got 'fast'" and by[None].problem == by[None]
    assert by[None].startswith("unknown setting 'zzz' ignored")
    assert by["activation"] == "activation has 3 names for 2 hidden layers; using 'relu' for all"
    assert by["loss"].startswith("loss 'mse' does not fit the binary dataset 'xor'; using ")


def test_task_and_layer_sizes():
    from playground.data.datasets import DATASETS, generate

    assert task_of(DATASETS["xor"]) == ("binary", 2)
    assert task_of(DATASETS["reg-plane"]) == ("regression", 0)
    blobs = generate("blobs", n=60, n_classes=4)
    assert task_of(blobs) == ("multiclass", 4)
    cfg = Config(dataset="blobs", hidden=(5, 3), loss="ce", features=("x1", "x2", "x1sq"))
    assert layer_sizes(cfg, 2, 4) == [3, 5, 3, 4]  # 2-D points go through the 3 features; softmax: one per class
    assert layer_sizes(Config(hidden=(2,)), 7, 2) == [7, 2, 1]  # more columns are the inputs; binary: one output


def test_seeds_and_streams():
    assert seed_int("42") == 42 and seed_int("lesson") == seed_int("lesson") != seed_int("lesson2")
    a = rng_for(Config(seed="7"), "data").random(3)
    b = rng_for(Config(seed="7"), "init").random(3)
    assert not (a == b).all()
    assert (rng_for(Config(seed="7"), "data").random(3) == a).all()


def test_caps_table():
    assert CAPS["hidden_layers"] == 8 and CAPS["neurons"] == 64 and CAPS["points"] == 10_000
    assert dataclasses.is_dataclass(Config) and Config.__dataclass_params__.frozen


# ----- caps hold whatever form the query comes in (a page passes st.query_params as a dict) -------------
def _as_dict(n: int, value: str = "1") -> dict:
    return {f"k{i}": value for i in range(n)}


def test_field_cap_holds_for_dicts_as_for_strings():
    from urllib.parse import urlencode

    for query in (_as_dict(1000), urlencode(_as_dict(1000))):
        cfg, warnings = from_query(query)
        assert cfg == Config() and warnings == ["link has more than 200 fields; all settings reset to defaults"]


def test_character_cap_holds_for_dicts():
    query = {**{f"k{i}": "x" * 150 for i in range(100)}, "lr": "0.3"}  # ~15,500 characters; lr past the cut
    cfg, warnings = from_query(query)
    assert cfg.lr == Config().lr
    assert warnings[0].startswith("link is 15") and warnings[0].endswith("only the first 8000 were read")


def test_many_unknown_keys_give_one_warning():
    cfg, warnings = from_query(_as_dict(150))
    assert cfg == Config() and len(warnings) == 1
    assert warnings[0].startswith("unknown settings ignored (150): 'k0', 'k1', 'k2', 'k3', 'k4', … (and 145 more);")
    _, warnings = from_query({"foo": "1", "lr": "0.3"})
    assert warnings == [f"unknown setting 'foo' ignored; known: {', '.join(FIELDS)}"]


def test_many_repeated_keys_are_summarised():
    query = "&".join(f"k{i}=1&k{i}=2" for i in range(30))
    _, warnings = from_query(query)
    assert len(warnings) == 12  # ten named, one for the other twenty, one for the unknown keys
    assert warnings[10] == ("20 more keys appear more than once: 'k10', 'k11', 'k12', 'k13', 'k14', … (and 15 more); "
                            "the last values are used")
