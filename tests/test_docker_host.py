"""`--docker-host ssh://` works as installed: the docker SDK refuses ssh:// URLs without paramiko (its ssh
extra) even when it shells out to the ssh command, so the package depends on docker[ssh]."""
import docker


def test_an_ssh_docker_host_client_can_be_built_without_extra_installs():
    # A fixed API version: nothing is contacted; without paramiko this raises "Install paramiko package...".
    client = docker.DockerClient(base_url="ssh://nobody@127.0.0.1:1", version="1.41", timeout=3, use_ssh_client=True)
    client.close()
