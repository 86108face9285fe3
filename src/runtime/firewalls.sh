# Firewalls: nftables ruleset files, and UFW's rules, default policies and state.

# k_nftables ok|act|diff --path PATH [--load] -- PUT_OPTION... (nftables.ruleset): the
# ruleset file PATH is as `k_put PUT_OPTION...` writes it (whose CHECK is `nft -c -f`: new
# content is installed only when nft accepts it, and checked in check mode too).
# With --load, the kernel also holds a ruleset (`nft list ruleset` prints something: one
# that is empty was never loaded, or was flushed), and an act (which runs only when one of
# the two does not hold) ends with `nft -f PATH`; the diff says it would.
k_nftables() {
  k_nftables_verb=$1 k_nftables_path='' k_nftables_load=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_nftables_path=$2; shift ;;
    --load) k_nftables_load=1 ;;
    --) shift; break ;;
    *) k_err "k_nftables: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_nftables_verb in
  ok)
    k_put ok "$@" || return 1
    [ "$k_nftables_load" = 0 ] || [ -n "$(nft list ruleset 2>/dev/null)" ] ;;
  act)
    k_put act "$@" || return 1
    [ "$k_nftables_load" = 0 ] || nft -f "$k_nftables_path" ;;
  diff)
    k_put diff "$@" || return 1
    [ "$k_nftables_load" = 0 ] || k_print "would run: nft -f $k_nftables_path" ;;
  esac
}

# k_ufw_rule ok|act|diff [--delete] -- RULE... (ufw.rule): the rule `ufw RULE...` adds is
# one of UFW's (with --delete: is not). Asked with `ufw --dry-run RULE...`, which changes
# nothing and prints only `Skipping adding existing rule` lines (one per IP version) when
# the rule is there with the same comment, and the rules it would write when it is not:
# there only when every line says so, absent when none does (`ufw --dry-run delete` cannot
# tell, it prints the same rules either way). Added with `ufw RULE...`, deleted with
# `ufw delete RULE...`.
k_ufw_rule() {
  k_ufw_rule_verb=$1 k_ufw_rule_delete=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --delete) k_ufw_rule_delete=1 ;;
    --) shift; break ;;
    *) k_err "k_ufw_rule: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_ufw_rule_now=$(ufw --dry-run "$@" 2>&1) || { k_err "ufw --dry-run $*: $k_ufw_rule_now"; return 1; }
  k_ufw_rule_there=0
  # Not there when a line (after the first) is not one of `Skipping ...`.
  case $k_ufw_rule_now in
  *"
"[!S]* | *"
"S[!k]*) ;;
  Skipping*) k_ufw_rule_there=1 ;;
  esac
  if [ "$k_ufw_rule_delete" = 1 ]; then
    case $k_ufw_rule_now in *Skipping*) k_ufw_rule_there=1 ;; *) k_ufw_rule_there=0 ;; esac
    set -- delete "$@"
  fi
  case $k_ufw_rule_verb in
  ok) [ "$k_ufw_rule_there" = "$((1 - k_ufw_rule_delete))" ] ;;
  act) [ "$k_ufw_rule_there" = "$((1 - k_ufw_rule_delete))" ] || ufw "$@" >/dev/null ;;
  diff)
    [ "$k_ufw_rule_there" = "$((1 - k_ufw_rule_delete))" ] && return 0
    k_quoted "$@"
    k_print "would run: ufw$k_quoted_text" ;;
  esac
}

# k_ufw_default ok|act|diff --direction incoming|outgoing|routed --policy allow|deny|reject
# (ufw.default): UFW's default policy of the direction is POLICY. Read from
# /etc/default/ufw (DEFAULT_INPUT_POLICY, _OUTPUT_, _FORWARD_: ACCEPT, DROP or REJECT) by
# the shell, no process; set with `ufw default POLICY DIRECTION`, which writes that file
# and reloads a running firewall.
k_ufw_default() {
  k_ufw_default_verb=$1 k_ufw_default_direction='' k_ufw_default_policy=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --direction) k_ufw_default_direction=$2; shift ;;
    --policy) k_ufw_default_policy=$2; shift ;;
    *) k_err "k_ufw_default: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_ufw_default_direction in
  incoming) k_ufw_default_key=DEFAULT_INPUT_POLICY ;;
  outgoing) k_ufw_default_key=DEFAULT_OUTPUT_POLICY ;;
  *) k_ufw_default_key=DEFAULT_FORWARD_POLICY ;;
  esac
  case $k_ufw_default_policy in
  allow) k_ufw_default_want=ACCEPT ;;
  deny) k_ufw_default_want=DROP ;;
  *) k_ufw_default_want=REJECT ;;
  esac
  k_ufw_default_now=
  if [ -r /etc/default/ufw ]; then
    while IFS= read -r k_ufw_default_line; do
      case $k_ufw_default_line in
      "$k_ufw_default_key="*)
        k_ufw_default_now=${k_ufw_default_line#*=}
        k_ufw_default_now=${k_ufw_default_now#\"}
        k_ufw_default_now=${k_ufw_default_now%\"} ;;
      esac
    done < /etc/default/ufw
  fi
  case $k_ufw_default_verb in
  ok) [ "$k_ufw_default_now" = "$k_ufw_default_want" ] ;;
  act) [ "$k_ufw_default_now" = "$k_ufw_default_want" ] || ufw default "$k_ufw_default_policy" "$k_ufw_default_direction" >/dev/null ;;
  diff) [ "$k_ufw_default_now" = "$k_ufw_default_want" ] || k_print "would run: ufw default $k_ufw_default_policy $k_ufw_default_direction" ;;
  esac
}

# k_ufw_enabled ok|act|diff [--disabled] [--logging LEVEL] (ufw.enabled): UFW is active
# (with --disabled: is not), as `ufw status` says on its first line, and with --logging
# its log level (/etc/ufw/ufw.conf's LOGLEVEL, read by the shell) is LEVEL (`on` is
# `low`, as `ufw logging on` sets it). Enabled with `ufw --force enable` (no question
# asked: the lockout check is kiln's, when the manifest is bound), disabled with
# `ufw disable`, the level set with `ufw logging LEVEL`.
k_ufw_enabled() {
  k_ufw_enabled_verb=$1 k_ufw_enabled_want=active k_ufw_enabled_logging=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --disabled) k_ufw_enabled_want=inactive ;;
    --logging) k_ufw_enabled_logging=$2; shift ;;
    *) k_err "k_ufw_enabled: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_ufw_enabled_now=$(ufw status 2>&1) || { k_err "ufw status: $k_ufw_enabled_now"; return 1; }
  case $k_ufw_enabled_now in
  'Status: active'*) k_ufw_enabled_now=active ;;
  *) k_ufw_enabled_now=inactive ;;
  esac
  k_ufw_enabled_level=
  if [ -n "$k_ufw_enabled_logging" ] && [ -r /etc/ufw/ufw.conf ]; then
    while IFS= read -r k_ufw_enabled_line; do
      case $k_ufw_enabled_line in LOGLEVEL=*) k_ufw_enabled_level=${k_ufw_enabled_line#LOGLEVEL=} ;; esac
    done < /etc/ufw/ufw.conf
  fi
  case $k_ufw_enabled_logging in on) k_ufw_enabled_logging=low ;; esac
  set --
  if [ "$k_ufw_enabled_now" != "$k_ufw_enabled_want" ]; then
    if [ "$k_ufw_enabled_want" = active ]; then set -- enable; else set -- disable; fi
  fi
  if [ -n "$k_ufw_enabled_logging" ] && [ "$k_ufw_enabled_level" != "$k_ufw_enabled_logging" ]; then set -- "$@" logging; fi
  case $k_ufw_enabled_verb in
  ok) [ "$#" -eq 0 ] ;;
  act | diff)
    for k_ufw_enabled_step in "$@"; do
      case $k_ufw_enabled_step in
      enable) set -- --force enable ;;
      disable) set -- disable ;;
      logging) set -- logging "$k_ufw_enabled_logging" ;;
      esac
      if [ "$k_ufw_enabled_verb" = diff ]; then k_print "would run: ufw $*"; else ufw "$@" >/dev/null || return 1; fi
    done ;;
  esac
}

# k_firewalld ok|act|diff --service NAME|--port PORT/PROTO [--zone ZONE] [--disabled]
# [--permanent] [--immediate] (firewalld.service, firewalld.port): the service (or port) is
# enabled in ZONE (the default zone when none is given; with --disabled: is not), in the
# permanent configuration with --permanent, in the running one with --immediate. Each is
# asked with `firewall-cmd [--permanent] --query-service=NAME` (or `--query-port`), and
# changed with `--add-...` or `--remove-...` only where it differs.
k_firewalld() {
  k_firewalld_verb=$1 k_firewalld_what='' k_firewalld_zone='' k_firewalld_add=add k_firewalld_permanent=0 k_firewalld_immediate=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --service) k_firewalld_what="service=$2"; shift ;;
    --port) k_firewalld_what="port=$2"; shift ;;
    --zone) k_firewalld_zone=$2; shift ;;
    --disabled) k_firewalld_add=remove ;;
    --permanent) k_firewalld_permanent=1 ;;
    --immediate) k_firewalld_immediate=1 ;;
    *) k_err "k_firewalld: unknown option $1"; return 64 ;;
    esac
    shift
  done
  set --
  if [ -n "$k_firewalld_zone" ]; then set -- "--zone=$k_firewalld_zone"; fi
  # The configurations to look at: the permanent one's flag, or the running one's none.
  for k_firewalld_config in permanent immediate; do
    if [ "$k_firewalld_config" = permanent ]; then
      [ "$k_firewalld_permanent" = 1 ] || continue
      k_firewalld_flag=--permanent
    else
      [ "$k_firewalld_immediate" = 1 ] || continue
      k_firewalld_flag=
    fi
    if firewall-cmd ${k_firewalld_flag:+"$k_firewalld_flag"} "$@" "--query-$k_firewalld_what" >/dev/null 2>&1; then
      [ "$k_firewalld_add" = remove ] || continue
    else
      [ "$k_firewalld_add" = add ] || continue
    fi
    case $k_firewalld_verb in
    ok) return 1 ;;
    act) firewall-cmd ${k_firewalld_flag:+"$k_firewalld_flag"} "$@" "--$k_firewalld_add-$k_firewalld_what" >/dev/null || return 1 ;;
    diff) k_print "would run: firewall-cmd${k_firewalld_flag:+ $k_firewalld_flag}${1:+ $1} --$k_firewalld_add-$k_firewalld_what" ;;
    esac
  done
}

# k_firewalld_zone ok|act|diff --zone ZONE [--absent] [--immediate] (firewalld.zone): the
# zone ZONE exists in firewalld's permanent configuration (with --absent: does not), as
# `firewall-cmd --permanent --get-zones` lists them; made with `--new-zone`, deleted with
# `--delete-zone`, and with --immediate firewalld reloaded after a change (a zone reaches
# the running configuration only so).
k_firewalld_zone() {
  k_firewalld_zone_verb=$1 k_firewalld_zone_name='' k_firewalld_zone_want=1 k_firewalld_zone_reload=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --zone) k_firewalld_zone_name=$2; shift ;;
    --absent) k_firewalld_zone_want=0 ;;
    --immediate) k_firewalld_zone_reload=1 ;;
    *) k_err "k_firewalld_zone: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_firewalld_zone_all=$(firewall-cmd --permanent --get-zones 2>&1) || { k_err "firewall-cmd --get-zones: $k_firewalld_zone_all"; return 1; }
  case " $k_firewalld_zone_all " in
  *" $k_firewalld_zone_name "*) k_firewalld_zone_has=1 ;;
  *) k_firewalld_zone_has=0 ;;
  esac
  [ "$k_firewalld_zone_has" != "$k_firewalld_zone_want" ] || return 0
  if [ "$k_firewalld_zone_want" = 1 ]; then set -- --new-zone; else set -- --delete-zone; fi
  case $k_firewalld_zone_verb in
  ok) return 1 ;;
  act)
    firewall-cmd --permanent "$1=$k_firewalld_zone_name" >/dev/null || return 1
    [ "$k_firewalld_zone_reload" = 0 ] || firewall-cmd --reload >/dev/null ;;
  diff)
    k_print "would run: firewall-cmd --permanent $1=$k_firewalld_zone_name"
    [ "$k_firewalld_zone_reload" = 0 ] || k_print 'would run: firewall-cmd --reload' ;;
  esac
}
