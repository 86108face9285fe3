# The run's report (`--report PATH`): what the run did, as JSON in the schema of a live
# run's `kiln apply --format json` (`{"hosts": [HostReport]}`), written by the script itself
# when it ends, for hosts no controller watches. The script has no JSON library and needs
# none: k_say records each op's status line (its fields, each one line: kiln gives LABEL and
# ORIGIN escaped to one line) in k_report_ops, in this shell, without a process, and k_note
# the note under it (the text a live run's reader gives the op's `note`); at the end one
# awk program escapes the strings and writes the document. What only a controller sees is
# left empty: an op's output and standard error, and its time; round trips are 0.

# k_host NAME TARGET: the host the script was made for, as the inventory names it and
# reaches it (the report's `host` and `target`).
k_host() { k_host_name=$1 k_host_target=$2; }

# k_report_op STATUS INDEX LABEL ORIGIN: records an op's status line for the report, one
# field a line (k_say's arguments; kiln writes each on one line).
k_report_op() {
  k_report_ops="$k_report_ops$1
$2
$3
$4
"
}

# k_report_note LINES TEXT: records a note (k_note's TEXT, of LINES lines) on the op
# recorded last: a line `note` (never a status, which starts an op's record), LINES, then
# TEXT. Only ops with a note pay for it.
k_report_note() {
  k_report_ops="${k_report_ops}note
$1
$2
"
}

# k_report_write: writes the report to k_report (the path after --report), atomically: a
# new private file (0600, made exclusively) beside it, renamed over it, so a reader sees
# the whole report or none, and a link planted at the path is replaced, never followed.
# Fails, saying so, when it cannot.
k_report_write() {
  case $k_report in
  */*) k_report_write_dir=${k_report%/*} ;;
  *) k_report_write_dir=. ;;
  esac
  if k_tmp_beside "${k_report_write_dir:-/}"; then
    if k_report_json > "$k_tmp_beside_file" && k_rename "$k_tmp_beside_file" "$k_report"; then return 0; fi
    rm -f -- "$k_tmp_beside_file"
  fi
  k_err "cannot write the report $k_report"
  return 1
}

# k_report_json: the report of the run so far, as JSON: the host's status is kiln's rule
# for a live run (failed when an op failed, else changed, or would-change in check mode,
# when an op changed something, else ok), its counts the run's.
k_report_json() {
  k_report_json_status=ok
  if [ "$k_failed" -gt 0 ]; then
    k_report_json_status=failed
  elif [ "$k_changed" -gt 0 ]; then
    k_report_json_status=changed
    [ "$k_mode" = apply ] || k_report_json_status=would-change
  fi
  k_report_json_seconds=0
  if k_report_json_now=$(date +%s 2>/dev/null) && [ -n "$k_report_start" ]; then
    k_report_json_seconds=$((k_report_json_now - k_report_start))
  fi
  printf %s "$k_report_ops" |
    K_HOST=${k_host_name-} K_TARGET=${k_host_target-} K_STATUS=$k_report_json_status \
    K_COUNTS="$k_ok $k_changed $k_failed $k_skipped $k_notrun" K_SECONDS=$k_report_json_seconds \
    awk "$k_awk_report"
}

# The report's JSON from k_report_ops (four lines an op, each followed by its notes, if
# any: `note`, a number of lines, those lines; two notes on one op are joined by a line
# break, as a live run's reader joins them) and the host's fields in K_HOST, K_TARGET,
# K_STATUS, K_COUNTS (ok, changed, failed, skipped, not run) and K_SECONDS. Strings are
# escaped as JSON requires: `"` and `\` with a backslash, control characters as \uXXXX;
# other characters, UTF-8 ones too, are written as they are (one at a time, so an awk that
# counts characters and one that counts bytes both copy them whole).
k_awk_report='
function k_json(s,   out, c, i, n) {
  out = ""
  n = length(s)
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    out = out ((c in k_escaped) ? k_escaped[c] : c)
  }
  return "\"" out "\""
}
BEGIN {
  for (i = 1; i < 32; i++) k_escaped[sprintf("%c", i)] = sprintf("\\u%04x", i)
  k_escaped["\""] = "\\\""
  k_escaped["\\"] = "\\\\"
  ops = ""
  n = 0
  fields = 0
}
note_left > 0 {
  note[n] = note[n] (note_first ? "" : "\n") $0
  note_first = 0
  note_left--
  next
}
note_count {
  note_count = 0
  note_left = $0 + 0
  if (note[n] != "") note[n] = note[n] "\n"
  note_first = 1
  next
}
fields == 0 && $0 == "note" { note_count = 1; next }
{ field[fields++] = $0 }
fields == 4 {
  n++
  status[n] = field[0]; index_[n] = field[1]; label[n] = field[2]; origin[n] = field[3]; note[n] = ""
  fields = 0
}
END {
  for (i = 1; i <= n; i++) {
    ops = ops (i == 1 ? "" : ",") "\n        {\"index\": " k_json(index_[i]) ", \"status\": " k_json(status[i]) \
      ", \"label\": " k_json(label[i]) ", \"origin\": " k_json(origin[i]) \
      ", \"detail\": \"\", \"stderr\": \"\", \"note\": " k_json(note[i]) ", \"seconds\": 0}"
  }
  split(ENVIRON["K_COUNTS"], count, " ")
  printf "{\n  \"hosts\": [\n    {\n      \"host\": %s,\n      \"target\": %s,\n      \"status\": %s,\n", k_json(ENVIRON["K_HOST"]), k_json(ENVIRON["K_TARGET"]), k_json(ENVIRON["K_STATUS"])
  printf "      \"ops\": [%s%s],\n", ops, (ops == "" ? "" : "\n      ")
  printf "      \"ok\": %d,\n      \"changed\": %d,\n      \"failed\": %d,\n      \"skipped\": %d,\n      \"not_run\": %d,\n", count[1], count[2], count[3], count[4], count[5]
  printf "      \"round_trips\": 0,\n      \"seconds\": %d,\n      \"error\": null,\n      \"stderr\": \"\"\n    }\n  ]\n}\n", ENVIRON["K_SECONDS"]
}
'
