"""A two-node Ray cluster on one machine: a collector scheduled on the second node by a custom resource."""

import pytest

from tests.live.conftest import tiny_config

pytest.importorskip("ray")
pytest.importorskip("gymnasium")
pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(ray_token):
    import ray
    from ray.cluster_utils import Cluster

    from charles_core.live.ray_support import _reload_auth_settings, ensure_token

    ensure_token(create=False)  # RAY_AUTH_MODE=token for this process and the nodes it starts
    _reload_auth_settings()
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 2, "include_dashboard": False, "resources": {"charles_trainer": 1}},
    )
    collector_node = cluster.add_node(num_cpus=1, resources={"charles_collector": 1})
    try:
        yield cluster, collector_node
    finally:
        if ray.is_initialized():
            ray.shutdown()
        cluster.shutdown()


def test_a_collector_runs_on_the_node_offering_its_resource(cluster, tmp_path):
    from charles_core.live.live_run import LiveRun

    cluster, collector_node = cluster
    config = tiny_config(
        collectors=1, players=0, collector_resource="charles_collector", trainer_resource="charles_trainer"
    )
    with LiveRun(config, address=cluster.address, run_dir=tmp_path / "run", progress=False) as run:
        status = run.wait_for(lambda s: s["trainer"]["batch"] >= 5, 150, "5 batches from the second node's collector")
        collector, trainer = status["collectors"][0], status["trainer"]
        assert collector["node"] == collector_node.node_id
        assert trainer["node"] != collector_node.node_id and trainer["node"] == cluster.head_node.node_id
        assert collector["stored"] > 0
        result = run.stop()
    assert result["batch"] >= 5
