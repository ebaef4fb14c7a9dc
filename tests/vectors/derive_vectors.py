"""Writes tests/vectors/{php,ruby,java}.json: requests as each SDK's source builds them (docs/sdk-wire.md).

Run from the repository root: ``python tests/vectors/derive_vectors.py``. Signatures use the emulator's default
credentials and a fixed timestamp; the replay test (tests/wire/test_sdk_vectors.py) freezes its clock there.
"""
import base64
import json
import sys
from urllib.parse import quote_plus

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from emulator import signing

KEY, SECRET, CLOUD, TS = "123456789012345", "emulator_secret", "demo", "1700000000"
BASIC = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()

def signed(params):
    p = {**params, "timestamp": TS}
    p["signature"] = signing.sign(p, SECRET)
    p["api_key"] = KEY
    return p

def php_query(params):
    """http_build_query (PHP_QUERY_RFC1738: spaces as +), then the SDK's %5B\\d+%5D → %5B%5D rewrite."""
    out = []
    for k, v in params.items():
        if isinstance(v, list):
            out += [f"{quote_plus(k)}%5B%5D={quote_plus(str(x))}" for x in v]
        else:
            out.append(f"{quote_plus(k)}={quote_plus(str(v))}")
    return "&".join(out)

def php_query_indexed(params):
    out = []
    for k, v in params.items():
        if isinstance(v, list):
            out += [f"{quote_plus(k)}%5B{i}%5D={quote_plus(str(x))}" for i, x in enumerate(v)]
        else:
            out.append(f"{quote_plus(k)}={quote_plus(str(v))}")
    return "&".join(out)

def multipart(boundary, fields, part_type=None):
    body = ""
    for k, v in fields:
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n"
        if part_type:
            body += f"Content-Type: {part_type}\r\nContent-Transfer-Encoding: 8bit\r\n"
        body += f"\r\n{v}\r\n"
    return body + f"--{boundary}--\r\n"

CSV = "id,value\n" + "".join(f"{i},{i * i}\n" for i in range(40))  # the file of the chunked uploads
HALF = len(CSV) // 2


def file_multipart(boundary, fields, file_name, content, part_type=None, file_type="application/octet-stream"):
    body = multipart(boundary, fields, part_type)[: -len(f"--{boundary}--\r\n")]
    body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n"
             f"Content-Type: {file_type}\r\n\r\n{content}\r\n--{boundary}--\r\n")
    return body


def flat(params):
    out = []
    for k, v in params.items():
        out += [(f"{k}[]", x) for x in v] if isinstance(v, list) else [(k, v)]
    return out

def call(label, method, path, headers, body, status, expect, note, present=()):
    out = {"label": label, "note": note, "method": method, "path": path, "headers": headers, "body": body,
           "expect": {"status": status, "json": expect}}
    if present:
        out["expect"]["present"] = list(present)  # keys whose values are not known in advance
    return out

up = f"/v1_1/{CLOUD}/image"
adm = f"/v1_1/{CLOUD}"
ua = {"php": "CloudinaryPHP/3.1.0 (PHP 8.3.0)", "ruby": "CloudinaryRuby/2.2.0 (Ruby 3.3.0-p0)",
      "java": "CloudinaryJava/2.0.0 (Java 17.0.9; cloudinary-http5 ApacheHttpClient/5.3.1)"}

def php():
    h = {"User-Agent": ua["php"], "Authorization": BASIC}
    def form(p):
        return php_query(signed(p))

    return [
        call("add_tag", "POST", f"{up}/tags", h, form({"tag": "php-tag", "public_ids": ["sample"], "command": "add"}),
             200, {"public_ids": ["sample"]}, "TagTrait → postAndSignFormAsync: raw body, no Content-Type"),
        call("add_context", "POST", f"{up}/context", h,
             form({"context": "alt=a php", "public_ids": ["sample"], "command": "add"}), 200,
             {"public_ids": ["sample"]}, "ContextTrait, no Content-Type"),
        call("explicit", "POST", f"{up}/explicit", h, form({"public_id": "sample", "type": "upload", "tags": "x,y"}),
             200, {"public_id": "sample", "tags": ["x", "y"]}, "EditTrait explicit, no Content-Type"),
        call("rename", "POST", f"{up}/rename", h,
             form({"from_public_id": "sample", "to_public_id": "php renamed", "overwrite": "0"}), 200,
             {"public_id": "php renamed"}, "rename, no Content-Type; the space as +"),
        call("destroy", "POST", f"{up}/destroy", h, form({"public_id": "php renamed", "invalidate": "0"}),
             200, {"result": "ok"}, "destroy, no Content-Type"),
        *php_chunked(h),
        call("admin resources", "GET", f"{adm}/resources/image/upload?" + php_query({"max_results": 5, "tags": "true"}),
             h, "", 200, {}, "BaseApiClient::get: query from buildHttpQuery"),
        call("admin delete_resources", "DELETE", f"{adm}/resources/image/upload",
             {**h, "Content-Type": "application/x-www-form-urlencoded"},
             php_query_indexed({"public_ids": ["gone1", "gone2"]}), 200,
             {"deleted": {"gone1": "not_found", "gone2": "not_found"}},
             "BaseApiClient::delete: Guzzle form_params, http_build_query keeps k[0], k[1]"),
    ]

def php_chunked(h):
    """ApiClient::postLargeFileAsync: the parameters signed once, every part a Guzzle multipart with the same
    fields, Content-Range with the size, X-Unique-Upload-Id from Utils::randomPublicId (16 hex)."""
    b = "5f2e0c1b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f"
    fields = flat(signed({"use_filename": "1", "unique_filename": "0"}))
    ranges = ((0, HALF - 1), (HALF, len(CSV) - 1))
    out = []
    for n, (first, last) in enumerate(ranges):
        headers = {**h, "Content-Type": f"multipart/form-data; boundary={b}",
                   "Content-Range": f"bytes {first}-{last}/{len(CSV)}", "X-Unique-Upload-Id": "3f9a1c2b7d4e8f60"}
        body = file_multipart(b, fields, "scores.csv", CSV[first:last + 1], file_type="text/csv")
        expect = {"done": False, "bytes": HALF} if n == 0 else {"public_id": "scores.csv", "resource_type": "raw",
                                                                "bytes": len(CSV)}
        out.append(call(f"upload (chunked, part {n + 1})", "POST", f"/v1_1/{CLOUD}/raw/upload", headers, body,
                        200, expect, "ApiClient::postLargeFileAsync via upload() above chunk_size"))
    return out


def ruby():
    h = {"User-Agent": ua["ruby"]}
    urlenc = {**h, "Content-Type": "application/x-www-form-urlencoded"}
    def form(p):  # RestClient: arrays as k[]=v, spaces as +
        return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in flat(signed(p)))
    jsonh = {**h, "Authorization": BASIC, "Content-Type": "application/json", "Accept": "application/json"}
    return [
        call("add_tag", "POST", f"{up}/tags", urlenc,
             form({"tag": "ruby-tag", "public_ids": ["sample"], "command": "add"}),
             200, {"public_ids": ["sample"]}, "Uploader.call_api: RestClient payload without a file → urlencoded"),
        call("rename", "POST", f"{up}/rename", urlenc,
             form({"from_public_id": "sample", "to_public_id": "ruby_renamed", "overwrite": "1"}), 200,
             {"public_id": "ruby_renamed"}, "rename, urlencoded"),
        *ruby_chunked(h),
        call("admin resources", "GET", f"{adm}/resources/image", jsonh, json.dumps({"max_results": 3, "tags": True}),
             200, {}, "BaseApi.call_json_api: Faraday :json middleware puts the params in a JSON body, even on GET"),
        call("admin update", "POST", f"{adm}/resources/image/upload/ruby_renamed", jsonh,
             json.dumps({"tags": "r1,r2", "context": "k=v"}), 200,
             {"public_id": "ruby_renamed", "tags": ["r1", "r2"]}, "update: JSON body"),
        call("admin delete_resources", "DELETE", f"{adm}/resources/image/upload", jsonh,
             json.dumps({"public_ids": ["ruby_renamed", "nope"]}), 200,
             {"deleted": {"ruby_renamed": "deleted", "nope": "not_found"}}, "DELETE with a JSON body"),
    ]

def ruby_chunked(h):
    """Uploader.upload_large → upload_large_part: RestClient multipart (a file object is in the payload),
    resource_type raw, Content-Range with the file size, X-Unique-Upload-Id from random_public_id."""
    b = "----RubyFormBoundaryq8Xb2Ld0Wm5Kp3Rt"
    ranges = ((0, HALF - 1), (HALF, len(CSV) - 1))
    out = []
    for n, (first, last) in enumerate(ranges):
        fields = flat(signed({"public_id": "ruby_scores.csv", "tags": "big"}))
        headers = {**h, "Content-Type": f"multipart/form-data; boundary={b}",
                   "Content-Range": f"bytes {first}-{last}/{len(CSV)}", "X-Unique-Upload-Id": "k2f8q0z1w9x3c7v5b6n4"}
        body = file_multipart(b, fields, "scores.csv", CSV[first:last + 1], file_type="text/csv")
        expect = ({"done": False, "bytes": HALF, "public_id": "ruby_scores.csv"} if n == 0
                  else {"public_id": "ruby_scores.csv", "resource_type": "raw", "tags": ["big"]})
        out.append(call(f"upload_large (part {n + 1})", "POST", f"/v1_1/{CLOUD}/raw/upload", headers, body, 200,
                        expect, "upload_large_part: one RestClient multipart per part"))
    return out


def java():
    b = "cXbUa3Xq8sRk0HtVvR6m2cLx0b9PzW1"
    mp = {"User-Agent": ua["java"], "Content-Type": f"multipart/form-data; charset=UTF-8; boundary={b}"}
    urlenc = {"User-Agent": ua["java"], "Authorization": BASIC,
              "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    def parts(p):
        return multipart(b, flat(signed(p)), part_type="text/plain; charset=UTF-8")
    return [
        call("addTag", "POST", f"{up}/tags", mp, parts({"tag": "java-tag", "command": "add", "public_ids": ["sample"]}),
             200, {"public_ids": ["sample"]},
             "UploaderStrategy.prepareRequest: multipart LEGACY, text/plain parts, k[]"),
        call("addContext", "POST", f"{up}/context", mp,
             parts({"context": "caption=from java", "command": "add", "public_ids": ["sample"]}), 200,
             {"public_ids": ["sample"]}, "context, multipart"),
        *java_chunked(b),
        *java_delete_by_token(b),
        call("admin update", "POST", f"{adm}/resources/image/upload/sample", urlenc,
             "tags=j1%2Cj2&context=a%3Db", 200, {"public_id": "sample", "tags": ["j1", "j2"]},
             "ApiStrategy.setEntity: UrlEncodedFormEntity"),
        call("admin resources_by_ids", "GET", f"{adm}/resources/image/upload?public_ids%5B%5D=sample", urlenc, "",
             200, {}, "GET: URIBuilder query, k[]"),
        call("admin delete_resources", "DELETE", f"{adm}/resources/image/upload", urlenc,
             "public_ids%5B%5D=gone", 200, {"deleted": {"gone": "not_found"}}, "DELETE with a urlencoded body"),
    ]

def java_delete_by_token(b):
    """Uploader.upload with return_delete_token (booleans as "true"), then Uploader.deleteByToken: callApi
    ("delete_by_token", {token}) signs it like any call (the emulator, like the service, needs no signature
    there) and posts to /<resource_type>/delete_by_token. {{delete_token}} is what the upload answered."""
    mp = {"User-Agent": ua["java"], "Content-Type": f"multipart/form-data; charset=UTF-8; boundary={b}"}
    fields = flat(signed({"public_id": "java_token.csv", "return_delete_token": "true"}))
    upload = file_multipart(b, fields, "file", CSV, part_type="text/plain; charset=UTF-8")
    token = multipart(b, flat(signed({"token": "{{delete_token}}"})), part_type="text/plain; charset=UTF-8")
    return [
        call("upload with return_delete_token", "POST", f"/v1_1/{CLOUD}/raw/upload", mp, upload, 200,
             {"public_id": "java_token.csv", "resource_type": "raw"}, "the answer carries delete_token",
             present=["delete_token"]),
        call("deleteByToken", "POST", f"{up}/delete_by_token", mp, token, 200, {"result": "ok"},
             "Uploader.deleteByToken → callApi(\"delete_by_token\"): multipart, signed"),
    ]

def java_chunked(b):
    """Uploader.uploadLargeParts of an InputStream: the total is -1 until the last part; the byte[] part is a
    ByteArrayBody named "file"; X-Unique-Upload-Id via extra_headers; resource_type as given (raw here)."""
    headers = {"User-Agent": ua["java"], "Content-Type": f"multipart/form-data; charset=UTF-8; boundary={b}",
               "X-Unique-Upload-Id": "9c1e5a7b3d2f4e6a"}
    fields = flat(signed({"public_id": "java_scores.csv"}))
    parts = [(0, HALF - 1, "-1"), (HALF, len(CSV) - 1, str(len(CSV)))]
    out = []
    for n, (first, last, total) in enumerate(parts):
        body = file_multipart(b, fields, "file", CSV[first:last + 1], part_type="text/plain; charset=UTF-8")
        expect = ({"done": False, "bytes": HALF} if n == 0
                  else {"public_id": "java_scores.csv", "resource_type": "raw", "bytes": len(CSV)})
        out.append(call(f"uploadLarge of a stream (part {n + 1})", "POST", f"/v1_1/{CLOUD}/raw/upload",
                        {**headers, "Content-Range": f"bytes {first}-{last}/{total}"}, body, 200, expect,
                        "UploaderStrategy.callApi per part; Content-Range total -1 while the length is unknown"))
    return out


for sdk, calls in (("php", php()), ("ruby", ruby()), ("java", java())):
    doc = {"sdk": sdk, "derived_from": "the SDK's sources, see docs/sdk-wire.md", "cloud": CLOUD, "api_key": KEY,
           "api_secret": SECRET, "timestamp": int(TS), "calls": calls}
    with open(__import__("pathlib").Path(__file__).resolve().parent / f"{sdk}.json", "w") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
print("ok")
