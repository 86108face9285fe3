# Facts decided on the host: `when` conditions read the fact probe's output (k_facts).

# Facts gathered on the host (k_facts holds the probe's key=value lines). A value loses
# the white space around it, as `facts::parse` does.
k_fact() {
  printf '%s\n' "${k_facts-}" | K_K=$1 awk '{
    i = index($0, "=")
    if (substr($0, 1, i - 1) == ENVIRON["K_K"]) {
      v = substr($0, i + 1); sub(/^[ \t\n\f\r]+/, "", v); sub(/[ \t\n\f\r]+$/, "", v)
      print v; exit
    } }'
}

# Whether the host has the fact KEY; if not, says so (a `when` that uses it cannot be
# decided: minijinja's strict undefined is an error, and so is this).
k_fact_need() {
  case "
${k_facts-}" in *"
$1="*) return 0 ;; esac
  k_err "this host has no fact $1, which a when condition uses"
  return 1
}

# Whether ITEM is in LIST, a list fact (comma-separated; its empty items do not count).
k_in_list() { [ -n "$1" ] && case ",$2," in *,"$1",*) return 0 ;; esac; return 1; }

# Whether a list fact has an item.
k_list_any() { case $1 in *[!,]*) return 0 ;; esac; return 1; }
