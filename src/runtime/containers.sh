# Containers: images, containers, networks and volumes (the docker.* ops), through the
# docker or the podman CLI (`--cli`), which speak the same command line. Every probe is one
# `inspect` of what the op names; nothing is listed or parsed beyond a Go template's line.

# k_docker_image ok|act|diff --cli CLI --image REF [--force] [--absent] (docker.image): the
# image REF (`name`, `name:tag` or `name@sha256:...`) is in CLI's local store, pulled when
# missing (or on every run with --force: the pull is the change); with --absent it is not
# (removed with `image rm`, which refuses an image a container uses).
k_docker_image() {
  k_docker_image_verb=$1 k_docker_image_cli=docker k_docker_image_ref='' k_docker_image_force=0 k_docker_image_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --cli) k_docker_image_cli=$2; shift ;;
    --image) k_docker_image_ref=$2; shift ;;
    --force) k_docker_image_force=1 ;;
    --absent) k_docker_image_absent=1 ;;
    *) k_err "k_docker_image: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_docker_image_verb:$k_docker_image_absent in
  ok:1) ! "$k_docker_image_cli" image inspect --format '{{.Id}}' -- "$k_docker_image_ref" >/dev/null 2>&1 ;;
  act:1) "$k_docker_image_cli" image rm -- "$k_docker_image_ref" >/dev/null ;;
  diff:1) printf 'remove the image %s\n' "$k_docker_image_ref" ;;
  ok:0) [ "$k_docker_image_force" = 0 ] && "$k_docker_image_cli" image inspect --format '{{.Id}}' -- "$k_docker_image_ref" >/dev/null 2>&1 ;;
  act:0)
    "$k_docker_image_cli" pull -q -- "$k_docker_image_ref" >/dev/null ||
      { k_err "cannot pull the image $k_docker_image_ref with $k_docker_image_cli"; return 1; } ;;
  diff:0) printf 'pull the image %s\n' "$k_docker_image_ref" ;;
  esac
}

# k_docker_container ok|act|diff --cli CLI --name NAME --image REF --hash HASH
# [--state started|stopped|present|absent] [--env-file] -- CREATE_OPTION... (docker.container):
# the container NAME exists, made with `CLI create --name NAME --label kiln.config-hash=HASH
# CREATE_OPTION...` (the options, then REF and the command), and is running (started), not
# running (stopped) or either (present); with absent it does not exist. A container whose
# label is not HASH (its configuration changed) or whose image is not the one REF names
# now (a new pull) is removed and made again; otherwise it is only started or stopped.
# With --env-file its environment (`NAME=value` lines) is read on standard input into a
# private file (0600, in k_tmpd) for `--env-file`, so no value is ever in an argument list.
k_docker_container() {
  k_docker_container_verb=$1 k_docker_container_cli=docker k_docker_container_name='' k_docker_container_image=''
  k_docker_container_hash='' k_docker_container_state=started k_docker_container_env=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --cli) k_docker_container_cli=$2; shift ;;
    --name) k_docker_container_name=$2; shift ;;
    --image) k_docker_container_image=$2; shift ;;
    --hash) k_docker_container_hash=$2; shift ;;
    --state) k_docker_container_state=$2; shift ;;
    --env-file) k_docker_container_env=1 ;;
    --) shift; break ;;
    *) k_err "k_docker_container: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_docker_container_read
  case $k_docker_container_verb in
  ok) [ -z "$k_docker_container_change" ] ;;
  diff) [ -z "$k_docker_container_change" ] || printf '%s\n' "$k_docker_container_change" ;;
  act) k_docker_container_act "$@" ;;
  esac
}

# k_docker_container_read: k_docker_container_had (`HASH IMAGE-ID RUNNING`, empty when no
# such container) and k_docker_container_change, what act must do (empty when nothing):
# `remove ...`, `create ...`, `recreate ...`, `start ...` or `stop ...`, said as a plan says
# it; k_docker_container_recreate is 1 when the container must be removed and made again.
k_docker_container_read() {
  k_docker_container_change='' k_docker_container_recreate=0 k_docker_container_n=$k_docker_container_name
  k_docker_container_had=$("$k_docker_container_cli" container inspect --format '{{index .Config.Labels "kiln.config-hash"}} {{.Image}} {{.State.Running}}' -- "$k_docker_container_n" 2>/dev/null) || k_docker_container_had=''
  if [ "$k_docker_container_state" = absent ]; then
    [ -z "$k_docker_container_had" ] || k_docker_container_change="remove the container $k_docker_container_n"
    return 0
  fi
  if [ -z "$k_docker_container_had" ]; then
    k_docker_container_change="create the container $k_docker_container_n from $k_docker_container_image"
    return 0
  fi
  k_docker_container_running=${k_docker_container_had##* }
  k_docker_container_had=${k_docker_container_had% *}
  # The image the reference names now (none when it is not in the local store: the
  # container keeps the image it has).
  k_docker_container_wants=$("$k_docker_container_cli" image inspect --format '{{.Id}}' -- "$k_docker_container_image" 2>/dev/null) || k_docker_container_wants=''
  if [ "${k_docker_container_had% *}" != "$k_docker_container_hash" ]; then
    k_docker_container_recreate=1 k_docker_container_change="recreate the container $k_docker_container_n: its configuration changed"
  elif [ -n "$k_docker_container_wants" ] && [ "${k_docker_container_had#* }" != "$k_docker_container_wants" ]; then
    k_docker_container_recreate=1 k_docker_container_change="recreate the container $k_docker_container_n: $k_docker_container_image is another image now"
  else
    case $k_docker_container_state:$k_docker_container_running in
    started:false) k_docker_container_change="start the container $k_docker_container_n" ;;
    stopped:true) k_docker_container_change="stop the container $k_docker_container_n" ;;
    esac
  fi
}

# k_docker_container_act CREATE_OPTION...: what k_docker_container_read found to do.
k_docker_container_act() {
  [ -n "$k_docker_container_change" ] || return 0
  if [ "$k_docker_container_state" = absent ] || [ "$k_docker_container_recreate" = 1 ]; then
    "$k_docker_container_cli" rm -f -- "$k_docker_container_n" >/dev/null || return 1
    [ "$k_docker_container_state" != absent ] || return 0
    k_docker_container_had=''
  fi
  if [ -z "$k_docker_container_had" ]; then
    k_docker_container_create "$@" || return 1
    k_docker_container_running=false
  fi
  case $k_docker_container_state:$k_docker_container_running in
  started:false) "$k_docker_container_cli" start -- "$k_docker_container_n" >/dev/null ;;
  stopped:true) "$k_docker_container_cli" stop -- "$k_docker_container_n" >/dev/null ;;
  esac
}

# k_docker_container_create CREATE_OPTION...: `CLI create` of k_docker_container's container,
# with its environment from standard input in a private file, removed once it is read.
k_docker_container_create() {
  if [ "$k_docker_container_env" = 0 ]; then
    "$k_docker_container_cli" create --name "$k_docker_container_n" --label "kiln.config-hash=$k_docker_container_hash" "$@" >/dev/null
    return
  fi
  k_private && k_tmp_beside "$k_tmpd" || return 1
  if cat >"$k_tmp_beside_file" &&
    "$k_docker_container_cli" create --name "$k_docker_container_n" --label "kiln.config-hash=$k_docker_container_hash" --env-file "$k_tmp_beside_file" "$@" >/dev/null; then
    rm -f -- "$k_tmp_beside_file"
  else
    rm -f -- "$k_tmp_beside_file"
    return 1
  fi
}

# k_docker_object ok|act|diff --cli CLI --kind network|volume --name NAME [--driver DRIVER]
# [--absent] (docker.network, docker.volume): the network or volume NAME exists (made with
# `CLI KIND create`, with DRIVER when given), or with --absent does not (`CLI KIND rm`, which
# refuses one in use). One that exists is kept as it is, whatever its driver.
k_docker_object() {
  k_docker_object_verb=$1 k_docker_object_cli=docker k_docker_object_kind='' k_docker_object_name='' k_docker_object_driver='' k_docker_object_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --cli) k_docker_object_cli=$2; shift ;;
    --kind) k_docker_object_kind=$2; shift ;;
    --name) k_docker_object_name=$2; shift ;;
    --driver) k_docker_object_driver=$2; shift ;;
    --absent) k_docker_object_absent=1 ;;
    *) k_err "k_docker_object: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_docker_object_verb:$k_docker_object_absent in
  ok:0) "$k_docker_object_cli" "$k_docker_object_kind" inspect --format '{{.Name}}' -- "$k_docker_object_name" >/dev/null 2>&1 ;;
  ok:1) ! "$k_docker_object_cli" "$k_docker_object_kind" inspect --format '{{.Name}}' -- "$k_docker_object_name" >/dev/null 2>&1 ;;
  act:0) "$k_docker_object_cli" "$k_docker_object_kind" create ${k_docker_object_driver:+--driver "$k_docker_object_driver"} -- "$k_docker_object_name" >/dev/null ;;
  act:1) "$k_docker_object_cli" "$k_docker_object_kind" rm -- "$k_docker_object_name" >/dev/null ;;
  diff:0) printf 'create the %s %s\n' "$k_docker_object_kind" "$k_docker_object_name" ;;
  diff:1) printf 'remove the %s %s\n' "$k_docker_object_kind" "$k_docker_object_name" ;;
  esac
}
