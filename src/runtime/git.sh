# Git checkouts (git.repo): a clone kept at a branch's tip or at a revision; and git's
# configuration (git.config).

# k_git ok|act|diff --repo REPO --dest DIR [--branch BRANCH | --rev REV] [--depth N]
# [--no-pull] [--submodules] [--user USER] [--ssh-command COMMAND] (git.repo): DIR is a
# clone of REPO (its origin) whose HEAD is the commit wanted: REV resolved there, else the
# remote's tip of BRANCH (or of its default branch), asked with `git ls-remote`, which
# changes nothing; with --submodules, the submodules at their recorded commits. With
# --no-pull any clone will do, and only a new clone is brought to REV. The act (in a
# subshell, stopping at the first failure) clones if missing (DEPTH deep), fixes the origin
# URL, fetches, then checks out REV detached, or switches to BRANCH and fast-forwards it
# (local commits that prevent a fast-forward fail the op: nothing is thrown away), then
# the submodules. Every git command runs as USER (k_run_as) when given, with COMMAND as
# its GIT_SSH_COMMAND.
k_git() {
  k_git_verb=$1 k_git_repo='' k_git_dest='' k_git_branch='' k_git_rev='' k_git_depth='' k_git_pull=1
  k_git_submodules=0 k_git_user='' k_git_ssh=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --repo) k_git_repo=$2; shift ;;
    --dest) k_git_dest=$2; shift ;;
    --branch) k_git_branch=$2; shift ;;
    --rev) k_git_rev=$2; shift ;;
    --depth) k_git_depth=$2; shift ;;
    --no-pull) k_git_pull=0 ;;
    --submodules) k_git_submodules=1 ;;
    --user) k_git_user=$2; shift ;;
    --ssh-command) k_git_ssh=$2; shift ;;
    *) k_err "k_git: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_git_verb in
  ok)
    [ -d "${k_git_dest%/}/.git" ] || return 1
    [ "$k_git_pull" = 1 ] || return 0
    [ "$(k_git_in config --get remote.origin.url)" = "$k_git_repo" ] &&
      k_git_head=$(k_git_in rev-parse -q --verify HEAD) || return 1
    if [ -n "$k_git_rev" ]; then
      [ "$k_git_head" = "$(k_git_in rev-parse -q --verify "$k_git_rev^{commit}")" ] || return 1
    elif [ -n "$k_git_branch" ]; then
      [ "$(k_git_in symbolic-ref -q --short HEAD)" = "$k_git_branch" ] &&
        [ "$k_git_head" = "$(k_git_run ls-remote "$k_git_repo" "refs/heads/$k_git_branch" | cut -f1)" ] || return 1
    else
      [ "$k_git_head" = "$(k_git_run ls-remote "$k_git_repo" HEAD | cut -f1)" ] || return 1
    fi
    [ "$k_git_submodules" = 0 ] || ! k_git_in submodule status --recursive | grep -q '^[^ ]' ;;
  act) (k_git_act) ;;
  diff)
    if [ ! -d "${k_git_dest%/}/.git" ]; then
      printf 'clone %s into %s\n' "$k_git_repo" "$k_git_dest"
    else
      printf 'update %s (at %s)\n' "$k_git_dest" "$(k_git_in rev-parse -q --short HEAD)"
    fi ;;
  esac
}

# k_git_run ARG...: git, as k_git's user, with its ssh command.
k_git_run() {
  if [ -n "$k_git_ssh" ]; then
    k_run_as "$k_git_user" env "GIT_SSH_COMMAND=$k_git_ssh" git "$@"
  else
    k_run_as "$k_git_user" git "$@"
  fi
}

# k_git_in ARG...: k_git_run in k_git's checkout.
k_git_in() { k_git_run -C "$k_git_dest" "$@"; }

# k_git_act: k_git's act (k_git runs it in a subshell, which `exit` ends).
k_git_act() {
  if [ ! -d "${k_git_dest%/}/.git" ]; then
    set -- clone -q
    if [ -n "$k_git_depth" ]; then set -- "$@" --depth "$k_git_depth"; fi
    if [ -z "$k_git_rev" ] && [ -n "$k_git_branch" ]; then set -- "$@" --branch "$k_git_branch"; fi
    if [ "$k_git_submodules" = 1 ]; then set -- "$@" --recurse-submodules; fi
    k_git_run "$@" -- "$k_git_repo" "$k_git_dest" || exit 1
    if [ "$k_git_pull" = 0 ]; then
      # Only a new clone is brought to REV.
      if [ -n "$k_git_rev" ]; then k_git_checkout_rev; fi
      exit 0
    fi
  fi
  [ "$k_git_pull" = 1 ] || exit 0
  [ "$(k_git_in config --get remote.origin.url)" = "$k_git_repo" ] || k_git_in remote set-url origin "$k_git_repo" || exit 1
  if [ -n "$k_git_rev" ]; then
    k_git_in fetch -q --tags origin || exit 1
    k_git_checkout_rev
  elif [ -n "$k_git_branch" ]; then
    k_git_in fetch -q origin "+refs/heads/$k_git_branch:refs/remotes/origin/$k_git_branch" || exit 1
    if [ "$(k_git_in symbolic-ref -q --short HEAD)" != "$k_git_branch" ]; then
      k_git_in checkout -q "$k_git_branch" -- 2>/dev/null ||
        k_git_in checkout -q -b "$k_git_branch" --track "origin/$k_git_branch" || exit 1
    fi
    k_git_in merge -q --ff-only "origin/$k_git_branch" || exit 1
  else
    k_git_in fetch -q origin HEAD || exit 1
    k_git_in merge -q --ff-only FETCH_HEAD || exit 1
  fi
  if [ "$k_git_submodules" = 1 ]; then k_git_in submodule -q update --init --recursive || exit 1; fi
}

# k_git_checkout_rev: k_git's REV checked out detached, fetched first if it is not known.
k_git_checkout_rev() {
  k_git_in rev-parse -q --verify "$k_git_rev^{commit}" >/dev/null || k_git_in fetch -q origin "$k_git_rev" || exit 1
  k_git_in checkout -q --detach "$k_git_rev^{commit}" || exit 1
}

# k_git_config ok|act|diff --name NAME [--value VALUE | --absent] --where OPTION [--in PATH]
# [--user USER] (git.config): NAME has the one value VALUE (its other values replaced), or
# with --absent none, in the configuration OPTION says: --system, --global (USER's, as
# USER), --local (of the repository PATH) or --file (the file PATH). Read with `git config --get-all`,
# which changes nothing; written with --replace-all, removed with --unset-all; run as USER
# when given (k_run_as), so a new ~/.gitconfig is theirs.
k_git_config() {
  k_git_config_verb=$1 k_git_config_name='' k_git_config_value='' k_git_config_absent=0 k_git_config_where=''
  k_git_config_in='' k_git_config_user=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_git_config_name=$2; shift ;;
    --value) k_git_config_value=$2; shift ;;
    --absent) k_git_config_absent=1 ;;
    --where) k_git_config_where=$2; shift ;;
    --in) k_git_config_in=$2; shift ;;
    --user) k_git_config_user=$2; shift ;;
    *) k_err "k_git_config: unknown option $1"; return 64 ;;
    esac
    shift
  done
  # An unset key is an empty value here; --absent tells them apart by the status.
  k_git_config_has=$(k_git_config_run --get-all -- "$k_git_config_name")
  k_git_config_set=$?
  case $k_git_config_verb in
  ok)
    if [ "$k_git_config_absent" = 1 ]; then [ "$k_git_config_set" = 1 ]
    else [ "$k_git_config_set" = 0 ] && [ "$k_git_config_has" = "$k_git_config_value" ]
    fi ;;
  act)
    if [ "$k_git_config_absent" = 1 ]; then k_git_config_run --unset-all -- "$k_git_config_name"
    else k_git_config_run --replace-all -- "$k_git_config_name" "$k_git_config_value"
    fi ;;
  diff)
    [ "$k_git_config_set" = 0 ] || k_git_config_has='(unset)'
    if [ "$k_git_config_absent" = 1 ]; then k_git_config_value='(unset)'; fi
    printf '%s: %s -> %s\n' "$k_git_config_name" "$k_git_config_has" "$k_git_config_value" ;;
  esac
}

# k_git_config_run ARG...: `git config` on k_git_config's configuration, as its user.
k_git_config_run() {
  case $k_git_config_where in
  --local) k_run_as "$k_git_config_user" git -C "$k_git_config_in" config --local "$@" ;;
  --file) k_run_as "$k_git_config_user" git config --file "$k_git_config_in" "$@" ;;
  *) k_run_as "$k_git_config_user" git config "$k_git_config_where" "$@" ;;
  esac
}
