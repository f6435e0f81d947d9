// The JScript half of the ADSI/ADO test double (tests/collector_ad/double): the ADSI objects the
// collector binds (IADs with Get, GetEx, GetInfoEx, SetOption; IADsSecurityDescriptor and its ACEs;
// ADsSecurityUtility; ADSystemInfo) and the rows of ADO searches. JScript objects may carry the
// method names VBScript cannot declare (Get). Every bind, read and search is one POST to the Python
// bridge (bridge.py); the values come back typed and are turned here into the Variants Windows
// returns: strings, VT_I4, VT_BOOL, VT_ARRAY|VT_UI1 (MSXML bin.hex), VT_ARRAY|VT_VARIANT
// (Scripting.Dictionary.Items). Errors are thrown as ADSI's HRESULTs (docs/adsi-double.md).
var D = { url: "", http: null, cfg: null, xml: null, requests: 0 };

function dq(s) {
  var o = '"', i, c, h;
  s = String(s);
  for (i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    if (c == 34 || c == 92) { o += "\\" + s.charAt(i); }
    else if (c < 32 || c > 126) { h = c.toString(16); while (h.length < 4) { h = "0" + h; } o += "\\u" + h; }
    else { o += s.charAt(i); }
  }
  return o + '"';
}

function enc(v) {
  var a, i, k;
  if (v === null || v === undefined) { return "null"; }
  if (typeof v == "string") { return dq(v); }
  if (typeof v == "number" || typeof v == "boolean") { return String(v); }
  if (v instanceof Array) {
    a = [];
    for (i = 0; i < v.length; i++) { a.push(enc(v[i])); }
    return "[" + a.join(",") + "]";
  }
  a = [];
  for (k in v) { a.push(dq(k) + ":" + enc(v[k])); }
  return "{" + a.join(",") + "}";
}

function fail(hr) {
  // JScript numbers are signed in the Error object: 0x8000500D -> -2147463155
  throw new Error(hr > 2147483647 ? hr - 4294967296 : hr, "adsi double 0x" + hr.toString(16));
}

function call(req) {
  D.requests++;
  D.http.Open("POST", D.url, false);
  D.http.SetRequestHeader("Content-Type", "application/json");
  D.http.Send(enc(req));
  return eval("(" + D.http.ResponseText + ")");
}

function bytes(h) {
  var e = D.xml.createElement("b");
  e.dataType = "bin.hex";
  e.text = h;
  return e.nodeTypedValue;
}

function varr(list) {
  var d = new ActiveXObject("Scripting.Dictionary"), i;
  for (i = 0; i < list.length; i++) { d.Add(i, list[i]); }
  return d.Items();
}

// Objects read through properties are VBScript classes made by the factory "vb" (adsi_double.vbs):
// under Wine 8 a property read from VBScript on a JScript object fails (methods work).
function largeint(hi, lo) {
  return vb.MkLargeInt(hi, lo);
}

function secdesc(s) {
  // (an array made here and handed to a VBScript procedure arrives by reference and crashes
  // Wine's For Each: the ACEs are added one by one)
  var sd = vb.MkSd(s.owner, s.group, s.control, s.hex, s.rawhex), i, a;
  for (i = 0; i < s.aces.length; i++) {
    a = s.aces[i];
    sd.AddAce(vb.MkAce(a[0], a[1], a[2], a[3], a[4], a[5], a[6]));
  }
  return sd;
}

function val(t) {
  switch (t[0]) {
    case "x": return bytes(t[1]);
    case "l": return largeint(t[1], t[2]);
    case "sd": return secdesc(t[1]);
    default: return t[1];
  }
}

function vals(e) {
  var out = [], i;
  for (i = 0; i < e.vals.length; i++) { out.push(val(e.vals[i])); }
  return out;
}

function listOf(names) {
  // typeof on a VBScript array raises 445 under Wine 8: try it as an array first
  try { return new VBArray(names).toArray(); } catch (e) { return [String(names)]; }
}

function load(o, list) {
  var r = call({ op: "read", path: o.ADsPath, attrs: list, mask: o._mask }), i, k;
  if (r.hr) { fail(r.hr); }
  for (i = 0; i < list.length; i++) {
    k = String(list[i]).split(";")[0].toLowerCase();
    o._cache[k] = r.attrs[k] ? r.attrs[k] : null;
  }
}

function entry(o, a) {
  var k = String(a).toLowerCase();
  if (!(k in o._cache)) { load(o, [a]); }
  return o._cache[k];
}

function ads(path) {
  var r = call({ op: "bind", path: path }), o;
  if (r.hr) { fail(r.hr); }
  o = { ADsPath: path, Name: "", Class: "", _cache: {}, _mask: null };
  o.SetOption = function (opt, v) { if (opt == 3) { o._mask = v; } };
  o.GetOption = function (opt) { return opt == 3 ? (o._mask === null ? 15 : o._mask) : 0; };
  o.GetInfoEx = function (names, reserved) { load(o, listOf(names)); };
  o.Get = function (a) {
    var e = entry(o, a);
    if (!e) { fail(0x8000500D); }
    if (e.hr) { fail(e.hr); }
    if (e.vals.length == 1) { return val(e.vals[0]); }
    return varr(vals(e));
  };
  o.GetEx = function (a) {
    var e = entry(o, a);
    if (!e) { fail(0x8000500D); }
    if (e.hr) { fail(e.hr); }
    return varr(vals(e));
  };
  return o;
}

function rowsOf(command) {
  var r = call({ op: "search", command: String(command) }), known = {}, i;
  if (r.hr) { fail(r.hr); }
  for (i = 0; i < r.fields.length; i++) { known[r.fields[i]] = true; }
  return {
    count: function () { return r.rows.length; },
    value: function (row, name) {
      var k = String(name).toLowerCase(), t;
      if (!known[k]) { fail(0x800A0CC1); }          // adErrItemNotFound: not a column of the command
      t = r.rows[row][k];
      if (t === null || t === undefined) { return null; }
      if (t.multi) { return varr(vals(t)); }
      return val(t);
    }
  };
}

var api = {
  init: function (url) {
    D.url = url;
    D.http = new ActiveXObject("WinHttp.WinHttpRequest.5.1");
    D.xml = new ActiveXObject("Microsoft.XMLDOM");
    D.cfg = call({ op: "config" });
  },
  bind: function (path) { return ads(String(path)); },
  search: function (command) { return rowsOf(command); },
  secondExecuteOk: function () { return D.cfg.second_execute; },
  requests: function () { return D.requests; },
  create: function (progid) {
    if (progid == "adsysteminfo") {
      return vb.MkSysInfo(D.cfg.user_dn, D.cfg.computer);
    }
    if (progid == "adssecurityutility" && D.cfg.secutil) {
      return {
        SecurityMask: 7,
        ConvertSecurityDescriptor: function (sd, inFormat, outFormat) {
          if (D.cfg.convert_hr) { fail(D.cfg.convert_hr); }
          if (inFormat == 1 && outFormat == 3) { return sd.DblHex(D.cfg.hexstring_raw); }
          fail(0x80070057);                          // E_INVALIDARG: no other conversion is modelled
        }
      };
    }
    fail(0x800A01AD);                                // 429: ActiveX component can't create object
  }
};
