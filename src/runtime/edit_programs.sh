# The awk programs of line edits: the frame every edit shares (lines and their endings,
# check or write), kiln's regular-expression matcher (src/regex's matcher programs run
# here), and the edit of each op. Values reach them in the environment, never as program
# text.

# The frame every edit shares. Per line: body[i] (without its `\r`), term[i] (`\r\n`, `\n`,
# or for a last line without newline `\r` or nothing). The edit (edit(KIND), K_EDIT: the
# op's edit_line(), edit_block() or edit_replace()) calls put(TEXT, TERMINATOR) for each
# line of the result; a line written after an unterminated last line first ends it, and
# o[] collects the result. Check mode exits 0 when nothing changes, else 1; want mode
# prints the result; an error exits 2. A fused group (K_MEMBERS) runs the edit of each
# member in turn, its values under the member's number (arg()).
#
# Regular expressions are kiln's translation of the manifest's (src/regex): POSIX EREs
# whose UTF-8 byte classes are markers that rx_bytes() turns into bytes. rx_load() reads
# a matcher program (src/regex/program.rs), at the start the one in K_RX, and a
# replacement from K_REPL;
# rx_find() finds Python's leftmost-first match with it, rx_sub() replaces every match
# (re.sub), rx_expand() expands the replacement for the last match found.
k_awk_edit='
function put(s, t) {
  if (open) o[no] = o[no] (lastt == "\r" ? "\n" : eol)
  o[++no] = s t; lastt = t; open = (t !~ /\n$/)
}
function fix(t) { return t ~ /\n$/ ? t : (t == "\r" ? "\r\n" : eol) }
function keep(  i) { for (i = 1; i <= n; i++) put(body[i], term[i]); return 1 }
function fail(m) { print "kiln: " ENVIRON["K_PATH"] ": " m | "cat 1>&2"; close("cat 1>&2"); return 0 }
function where(at, after, first,  i, hit) {
  at = rx_bytes(at)
  for (i = 1; i <= n; i++) if (body[i] ~ at) { hit = i; if (first) break }
  if (!hit) return n
  return after ? hit : hit - 1
}
function rx_range(a, b) { return sprintf("%c", a) "-" sprintf("%c", b) }
function rx_bytes(s) {
  gsub(/\001L2/, "[" rx_range(192, 223) "]", s); gsub(/\001L3/, "[" rx_range(224, 239) "]", s)
  gsub(/\001L4/, "[" rx_range(240, 247) "]", s); gsub(/\001C/, "[" rx_range(128, 191) "]", s)
  gsub(/\001H/, rx_range(128, 255), s)
  return s
}
function rx_load(program,  r, f, i) {
  split(program, r, "\n"); split(r[1], f, " ")
  rxpre = f[1]; rxanch = f[2]; rxn = f[3]; rxany = rx_bytes(r[2])
  for (i = 1; i <= rxn; i++) {
    rxk[i] = r[4 * i - 1]; rxw[i] = rx_bytes(r[4 * i]); rxf[i] = rx_bytes(r[4 * i + 1]); rxt[i] = rx_bytes(r[4 * i + 2])
  }
}
function rx_find(from,  p) {
  # Each start is tried anchored: mawk 1.3.4 can report a later start than the leftmost
  # when alternatives overlap, so match() is not asked where a match begins.
  for (p = from; p <= rxlen + 1; p++) {
    if (rxanch && p > 1) return 0
    if (rxpre == "n" && p > 1 && substr(rxs, p - 1, 1) ~ /[0-9A-Z_a-z]/) continue
    if (rxpre == "w" && (p == 1 || substr(rxs, p - 1, 1) !~ /[0-9A-Z_a-z]/)) continue
    if (substr(rxs, p) ~ rxt[1]) { split("", rxgs); split("", rxge); rxm = p; rxq = rx_at(1, p); return p }
  }
  return 0
}
function rx_at(i, p,  f, c, l, q) {
  split(rxk[i], f, " ")
  if (f[1] == "l") {
    # From the longest text down: the first the leaf matches whole that leaves the rest a
    # match (every length is asked: the RLENGTH of match() is not trusted, as above).
    for (l = rxlen - p + 1; l > 0; l--) if (substr(rxs, p, l) ~ rxw[i] && substr(rxs, p + l) ~ rxf[i]) break
    return l > 0 ? p + l : p
  }
  if (f[1] == "g") { q = rx_at(f[4], p); rxgs[f[2]] = p; rxge[f[2]] = q; return q }
  if (f[1] == "a") {
    for (c = 4; c < 4 + f[3]; c++) if (substr(rxs, p) ~ rxt[f[c]]) return rx_at(f[c], p)
    return p
  }
  q = p
  for (c = 4; c < 4 + f[3]; c++) q = rx_at(f[c], q)
  return q
}
function rx_expand(  i, g, out) {
  out = ""
  for (i = 1; i <= rxrn; i++) {
    if (substr(rxr[i], 1, 1) == "T") { out = out substr(rxr[i], 2); continue }
    g = substr(rxr[i], 2) + 0
    if (g == 0) out = out substr(rxs, rxm, rxq - rxm)
    else if (g in rxgs) out = out substr(rxs, rxgs[g], rxge[g] - rxgs[g])
  }
  return out
}
function rx_search(s) { rxs = s; rxlen = length(s); return s ~ rxany && rx_find(1) }
function rx_sub(s,  out, p) {
  if (s !~ rxany) return s
  rxs = s; rxlen = length(s); out = ""; p = 1
  while (p <= rxlen && rx_find(p)) { out = out substr(s, p, rxm - p) rx_expand(); p = rxq }
  return out substr(s, p)
}
# The value NAME of the edit: K_NAME, or in a fused group K_J_NAME for its member J (pre "J_").
function arg(name) { return ENVIRON["K_" pre name] }
# Runs the edit KIND over body[1..n] into o[1..no] (edit(), k_awk_edit_kinds); 0 on an error.
function run(kind) {
  no = 0; open = 0; lastt = ""
  if (arg("RX") != "") rx_load(arg("RX"))
  rxrn = split(arg("REPL"), rxr, "\n")
  return edit(kind)
}
# Whether o[] is body[] and term[]: both split after each newline, so equal lines mean
# equal bytes.
function same(  i) {
  if (no != n) return 0
  for (i = 1; i <= n; i++) if (o[i] != body[i] term[i]) return 0
  return 1
}
# body[], term[] and eol made anew from o[], as the next edit would read the file o[] is.
function reread(  i, j, k, p, carry) {
  n = 0; carry = ""
  for (i = 1; i <= no; i++) {
    k = split(o[i], p, "\n")
    if (k == 0) continue
    p[1] = carry p[1]
    for (j = 1; j < k; j++) line_in(p[j], "\n")
    carry = p[k]
  }
  if (carry != "") line_in(carry, "")
  eol = (n && term[1] ~ /^\r/) ? "\r\n" : "\n"
}
function line_in(s, nl,  cr) { cr = ""; if (sub(/\r$/, "", s)) cr = "\r"; body[++n] = s; term[n] = cr nl }
# A fused group (K_MEMBERS members): the edit of each member in turn, on what the ones before it
# made; its outcome written on one line to the file K_SAID (ok, changed, failed,
# unsettled), up to the first that fails; the result printed if anything changed.
function group(  m, j, kind, exists, changed, i, said) {
  m = ENVIRON["K_MEMBERS"] + 0; exists = ENVIRON["K_EXISTS"] == "1"; said = ENVIRON["K_SAID"]
  for (j = 1; j <= m; j++) {
    pre = j "_"
    if (!exists && arg("MISSING") != "empty") {
      print "kiln: " ENVIRON["K_ASKED"] " does not exist" (arg("MISSING") == "fail-create" ? " (create = true creates it)" : "") | "cat 1>&2"
      close("cat 1>&2"); printf "failed " > said; break
    }
    kind = arg("EDIT")
    if (!run(kind)) { printf "failed " > said; break }
    if (same()) { printf "ok " > said; continue }
    reread(); exists = 1; changed = 1
    if (!run(kind) || !same()) { printf "unsettled " > said; break }
    printf "changed " > said
  }
  printf "\n" > said
  if (changed) for (i = 1; i <= n; i++) printf "%s", body[i] term[i]
}
BEGIN { n = 0 }
{
  cr = ""; if (sub(/\r$/, "")) cr = "\r"
  body[NR] = $0; term[NR] = cr "\n"; n = NR
}
END {
  if (n && ENVIRON["K_NOEOL"] == "1") term[n] = cr
  eol = (n && term[1] ~ /^\r/) ? "\r\n" : "\n"
  if (ENVIRON["K_MEMBERS"] != "") { group(); exit }
  if (!run(ENVIRON["K_EDIT"])) exit 2
  if (ENVIRON["K_OP"] == "check") exit !same()
  for (i = 1; i <= no; i++) printf "%s", o[i]
}'

# The edits of the four ops, by the name k_edit_run gives them (K_EDIT, K_J_EDIT).
k_awk_edit_kinds='
function edit(kind) {
  if (kind == "line") return edit_line()
  if (kind == "block") return edit_block()
  if (kind == "ini") return edit_ini()
  return edit_replace()
}
'

k_awk_line='
function edit_line(  line, re, i, e, rep, done, pos, from, step, w, backrefs) {
  line = arg("LINE"); re = rx_bytes(arg("RE")); backrefs = arg("RX") != ""
  if (arg("PRESENT") != "1") {
    for (i = 1; i <= n; i++) if (re != "" ? body[i] !~ re : body[i] != line) put(body[i], term[i])
    return 1
  }
  # Replace the last (first) match; when the new line no longer matches, the next one too:
  # where repeated runs would end, reached in one.
  if (re != "") {
    if (arg("FIRST") == "1") { from = 1; step = 1 } else { from = n; step = -1 }
    for (i = from; i >= 1 && i <= n; i += step) {
      if (backrefs) { if (!rx_search(body[i])) continue; e = rx_expand() }
      else if (body[i] ~ re) e = line
      else continue
      rep[i] = e; done = 1
      if (e ~ re) break
    }
  }
  pos = -1
  if (!done) {
    if (backrefs) return keep()
    for (i = 1; i <= n; i++) if (body[i] == line) return keep()
    w = arg("WHERE")
    if (w == "bof") pos = 0
    else if (w == "after" || w == "before") pos = where(arg("AT"), w == "after", arg("FIRST") == "1")
    else pos = n
  }
  if (pos == 0) put(line, eol)
  for (i = 1; i <= n; i++) {
    if (i in rep) put(rep[i], fix(term[i])); else put(body[i], term[i])
    if (i == pos) put(line, eol)
  }
  return 1
}
'

k_awk_block='
# The block between lines above and below of the file (0 and n + 1: its start and end);
# first and last: the marker lines as they are (with their endings), or new ones.
function block(above, below, first, last,  i) {
  if (arg("PREPEND") == "1" && above >= 1 && body[above] != "") put("", eol)
  if (first == "") put(arg("BEGIN"), eol); else put(body[first], term[first])
  for (i = 1; i <= nb; i++) put(bl[i], eol)
  if (last == "") put(arg("END"), eol); else put(body[last], term[last])
  if (arg("APPEND") == "1" && below <= n && body[below] != "") put("", eol)
}
function edit_block(  begin, end, i, k, at, np, pb, pe, pos, w) {
  begin = arg("BEGIN"); end = arg("END"); nb = arg("NB") + 0
  split(arg("BLOCK"), bl, "\n")
  for (i = 1; i <= n; i++) {
    if (body[i] == begin) {
      if (at) return fail("line " i ": a second opening marker, before the closing marker of line " at " (fix the file by hand)")
      at = i
    } else if (body[i] == end) {
      if (!at) return fail("line " i ": a closing marker without an opening marker (fix the file by hand)")
      np++; pb[np] = at; pe[np] = i; at = 0
    }
  }
  if (at) return fail("line " at ": an opening marker without a closing marker (fix the file by hand)")
  if (!np) {
    if (arg("PRESENT") != "1") return keep()
    w = arg("WHERE")
    if (w == "bof") pos = 0
    else if (w == "after" || w == "before") pos = where(arg("AT"), w == "after", arg("FIRST") == "1")
    else pos = n
    if (pos == 0) block(0, 1, "", "")
    for (i = 1; i <= n; i++) { put(body[i], term[i]); if (i == pos) block(i, i + 1, "", "") }
    return 1
  }
  # The first block is rewritten in place (its marker lines kept as they are); any later
  # copy is removed.
  k = 1
  for (i = 1; i <= n; i++) {
    if (k <= np && i == pb[k]) {
      if (k == 1 && arg("PRESENT") == "1") block(i - 1, pe[k] + 1, i, pe[k])
      i = pe[k]; k++
      continue
    }
    put(body[i], term[i])
  }
  return 1
}
'

k_awk_replace='
# The text to edit in lines src[1..n]: from column sc of line sl to column ec of line el
# (ec excluded; 0 for the line end). 0 when AFTER or BEFORE is not found.
function section(src,  i, p, q) {
  sl = 1; sc = 1; el = n; ec = 0
  if (arg("AFTER") != "") {
    rx_load(arg("AFTER"))
    for (i = 1; i <= n && !rx_search(src[i]); i++) continue
    if (i > n) return 0
    sl = i; sc = rxq
  }
  if (arg("BEFORE") != "") {
    rx_load(arg("BEFORE"))
    if (arg("AFTER") != "") {
      for (i = sl; i <= n; i++) { rxs = src[i]; rxlen = length(rxs); if (p = rx_find(i == sl ? sc : 1)) break }
    } else {
      for (i = n; i >= 1; i--) {
        rxs = src[i]; rxlen = length(rxs); p = 0
        for (q = rx_find(1); q; q = rx_find(q + 1)) p = q
        if (p) break
      }
    }
    if (i < 1 || i > n) return 0
    el = i; ec = p
  }
  rx_load(arg("RX"))
  return 1
}
# src[] with every match replaced in the section, into dst[]; whether anything changed.
function replaced(src, dst,  i, a, b, s, changed) {
  if (!section(src)) { for (i = 1; i <= n; i++) dst[i] = src[i]; return 0 }
  for (i = 1; i <= n; i++) {
    s = src[i]
    if (i >= sl && i <= el) {
      a = i == sl ? sc : 1; b = i == el && ec ? ec : length(s) + 1
      s = substr(s, 1, a - 1) rx_sub(substr(s, a, b - a)) substr(s, b)
    }
    dst[i] = s; if (s != src[i]) changed = 1
  }
  return changed
}
function edit_replace(  i, r, again) {
  if (replaced(body, r) && replaced(r, again))
    for (i = 1; i <= n; i++) if (again[i] != r[i])
      return fail("line " i ": the replacement does not settle: the result still matches, and the next run would make \"" again[i] "\" of it; nothing was written")
  for (i = 1; i <= n; i++) put(r[i], term[i])
  return 1
}
'

# files.ini, as Ansible's ini_file: a section runs from its header (a line starting with
# `[SECTION]`) to the next line starting with `[`; the unnamed one, from the file's start.
k_awk_ini='
# The value OPTION is set to on line s, or "\001" when s does not set it; commented (a
# `#` or `;` first) only when inactive is 1.
function ini_value(s, inactive,  o) {
  if (inactive) sub(/^[#;]/, "", s)
  sub(/^[ \t]*/, "", s); o = arg("OPTION")
  if (substr(s, 1, length(o)) != o) return "\001"
  s = substr(s, length(o) + 1); sub(/^[ \t]*/, "", s)
  if (s == "") return ""
  if (substr(s, 1, 1) != "=") return "\001"
  s = substr(s, 2); sub(/^[ \t]*/, "", s)
  return s
}
function ini_line() {
  if (arg("NOVALUE") == "1") return arg("OPTION")
  return arg("OPTION") (arg("TIGHT") == "1" ? "=" : " = ") arg("VALUE")
}
function edit_ini(  name, s, e, i, h, v, ins, drop, rep, found, new) {
  name = arg("SECTION"); s = 0; e = n + 1
  if (name != "") {
    for (i = 1; i <= n; i++) {
      h = body[i]
      # A UTF-8 byte order mark before the first line is not part of it.
      if (i == 1) sub(/^\357\273\277/, "", h)
      if (substr(h, 1, length(name) + 2) == "[" name "]") { s = i; break }
    }
  }
  if (name == "" || s) {
    for (i = s + 1; i <= n; i++) if (substr(body[i], 1, 1) == "[") { e = i; break }
  }
  if (arg("PRESENT") != "1") {
    if (arg("OPTION") == "") { if (s || name == "") for (i = s ? s : 1; i < e; i++) drop[i] = 1 }
    else if (s || name == "") for (i = s + 1; i < e; i++) {
      v = ini_value(body[i], 0)
      if (v != "\001" && (arg("EXCLUSIVE") == "1" || arg("VALUE") == "" || v == arg("VALUE"))) drop[i] = 1
    }
    for (i = 1; i <= n; i++) if (!(i in drop)) put(body[i], term[i])
    return 1
  }
  if (name != "" && !s) {
    keep(); put("[" name "]", eol)
    if (arg("OPTION") != "") put(ini_line(), eol)
    return 1
  }
  new = ini_line(); ins = -1
  if (arg("OPTION") != "") {
    # The line with the value (as Ansible: a line setting it alike is rewritten in its form);
    # else the first line setting it; the others removed unless kept.
    for (i = s + 1; i < e && !found; i++) {
      v = ini_value(body[i], 1)
      if (v != "\001" && (arg("NOVALUE") == "1" || v == arg("VALUE"))) { rep[i] = new; found = i }
    }
    for (i = s + 1; i < e && !found && arg("EXCLUSIVE") == "1"; i++)
      if (ini_value(body[i], 1) != "\001") { rep[i] = new; found = i }
    if (arg("EXCLUSIVE") == "1")
      for (i = s + 1; i < e; i++) if (i != found && ini_value(body[i], 1) != "\001") drop[i] = 1
    if (!found) {
      ins = s
      for (i = e - 1; i > s; i--) if (body[i] !~ /^[ \t]*([#;].*)?$/) { ins = i; break }
    }
  }
  if (ins == 0) put(new, eol)
  for (i = 1; i <= n; i++) {
    if (i in rep) { if (rep[i] == body[i]) put(body[i], term[i]); else put(rep[i], fix(term[i])) }
    else if (!(i in drop)) put(body[i], term[i])
    if (i == ins) put(new, eol)
  }
  return 1
}
'
