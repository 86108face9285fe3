//! `containers.sh`: images, containers, networks and volumes, through a `docker` stub that
//! keeps its state in files of the case's directory and logs the commands that change it
//! (`calls`); the real podman runs them in `containers::docker_ops_*`.

use super::{case, functions};

/// A docker CLI in files: `have` (the image is in the store), `img` (the id its reference
/// names), `c` (the container: `HASH IMAGE-ID RUNNING`), `network-NAME`, `volume-NAME`.
/// `create` keeps the label's hash, and copies the `--env-file` it is given (and its mode).
const DOCKER: &str = r#"case $1 in
image) case $2 in inspect) [ -e have ] && { cat img 2>/dev/null || :; } ;; rm) echo "image rm" >> calls; rm have ;; esac ;;
pull) echo "pull $*" >> calls; touch have ;;
container) [ -e c ] && cat c ;;
create) echo "create $*" >> calls; printf '%s %s false\n' "${5#kiln.config-hash=}" "$(cat img)" > c
  if [ "$6" = --env-file ]; then cp "$7" env; stat -c %a "$7" > env-mode; fi ;;
start|stop) echo "$1" >> calls; read -r h i r < c; [ "$1" = start ] && r=true || r=false; echo "$h $i $r" > c ;;
rm) echo "rm" >> calls; rm c ;;
network|volume) for n; do :; done
  case $2 in inspect) [ -e "$1-$n" ] ;; create) echo "$*" >> calls; touch "$1-$n" ;; rm) echo "$*" >> calls; rm "$1-$n" ;; esac ;;
esac"#;

/// A stub whose commands all fail, as a CLI that cannot reach a registry.
const FAILING: &str = "echo 'Error: cannot reach the registry' >&2; exit 125";

functions! {
    k_docker_image => [
        // Missing: pulled (quietly), then present.
        case("k_docker_image ok --cli docker --image app:1 || echo missing; k_docker_image diff --cli docker --image app:1; k_docker_image act --cli docker --image app:1; k_docker_image ok --cli docker --image app:1 && echo present; cat calls")
            .stub("docker", DOCKER)
            .prints("missing\npull the image app:1\npresent\npull pull -q -- app:1\n"),
        // With --force a present image is pulled again; --absent removes it.
        case("k_docker_image ok --cli docker --image app:1 --force || echo pull; k_docker_image diff --cli docker --image app:1 --absent; k_docker_image act --cli docker --image app:1 --absent; k_docker_image ok --cli docker --image app:1 --absent && echo gone; cat calls")
            .given("touch have; echo IMG > img")
            .stub("docker", DOCKER)
            .prints("pull\nremove the image app:1\ngone\nimage rm\n"),
        // A pull that fails says which image and which CLI, after the CLI's own reason.
        case("k_docker_image act --cli podman --image app:1 2>&1; echo \"status $?\"")
            .stub("podman", FAILING)
            .prints("Error: cannot reach the registry\nkiln: cannot pull the image app:1 with podman\nstatus 1\n"),
    ],
    k_docker_container => [
        // A new container: created with its label and options, its environment from standard
        // input in a private file (removed, from the run's private directory), then
        // started; then it holds.
        case("k_private; printf 'A=1\\nB=two words\\n' | k_docker_container act --cli docker --name web --image app:1 --hash h1 --env-file -- --publish 80:80 app:1 sleep 9; cat c env env-mode; ls -A \"$k_tmpd\"; sed 's/--env-file [^ ]*/--env-file F/' calls; k_docker_container ok --cli docker --name web --image app:1 --hash h1 && echo holds")
            .given("echo IMG1 > img")
            .stub("docker", DOCKER)
            .prints("h1 IMG1 true\nA=1\nB=two words\n600\ncreate create --name web --label kiln.config-hash=h1 --env-file F --publish 80:80 app:1 sleep 9\nstart\nholds\n"),
        // Another hash: removed and made again, and the plan says why.
        case("k_docker_container diff --cli docker --name web --image app:1 --hash h2 -- app:1; k_docker_container act --cli docker --name web --image app:1 --hash h2 -- app:1; cat c calls")
            .given("echo IMG1 > img; echo 'h1 IMG1 true' > c; touch have")
            .stub("docker", DOCKER)
            .prints("recreate the container web: its configuration changed\nh2 IMG1 true\nrm\ncreate create --name web --label kiln.config-hash=h2 app:1\nstart\n"),
        // The reference names another image now (pulled since): recreated too.
        case("k_docker_container ok --cli docker --name web --image app:1 --hash h1 -- app:1 || k_docker_container diff --cli docker --name web --image app:1 --hash h1 -- app:1")
            .given("echo IMG2 > img; echo 'h1 IMG1 true' > c; touch have")
            .stub("docker", DOCKER)
            .prints("recreate the container web: app:1 is another image now\n"),
        // The same configuration: only stopped (stopped), left (present), started (started).
        case("k_docker_container diff --cli docker --name web --image app:1 --hash h1 --state stopped -- app:1; k_docker_container act --cli docker --name web --image app:1 --hash h1 --state stopped -- app:1; k_docker_container ok --cli docker --name web --image app:1 --hash h1 --state present -- app:1 && echo present; k_docker_container diff --cli docker --name web --image app:1 --hash h1 -- app:1; cat c calls")
            .given("echo IMG1 > img; echo 'h1 IMG1 true' > c; touch have")
            .stub("docker", DOCKER)
            .prints("stop the container web\npresent\nstart the container web\nh1 IMG1 false\nstop\n"),
        // A new container with `present` is made, not started.
        case("k_docker_container act --cli docker --name web --image app:1 --hash h1 --state present -- app:1; cat c calls")
            .given("echo IMG1 > img")
            .stub("docker", DOCKER)
            .prints("h1 IMG1 false\ncreate create --name web --label kiln.config-hash=h1 app:1\n"),
        // Absent: removed; then it holds.
        case("k_docker_container diff --cli docker --name web --hash h1 --state absent --; k_docker_container act --cli docker --name web --hash h1 --state absent --; k_docker_container ok --cli docker --name web --hash h1 --state absent -- && echo gone; cat calls")
            .given("echo IMG1 > img; echo 'h1 IMG1 true' > c")
            .stub("docker", DOCKER)
            .prints("remove the container web\ngone\nrm\n"),
    ],
    k_docker_object => [
        // A network with a driver: made, then it holds; a volume removed.
        case("k_docker_object ok --cli docker --kind network --name front || k_docker_object diff --cli docker --kind network --name front; k_docker_object act --cli docker --kind network --name front --driver bridge; k_docker_object ok --cli docker --kind network --name front && echo made; k_docker_object diff --cli docker --kind volume --name data --absent; k_docker_object act --cli docker --kind volume --name data --absent; k_docker_object ok --cli docker --kind volume --name data --absent && echo gone; cat calls")
            .given("touch volume-data")
            .stub("docker", DOCKER)
            .prints("create the network front\nmade\nremove the volume data\ngone\nnetwork create --driver bridge -- front\nvolume rm -- data\n"),
    ],
}
