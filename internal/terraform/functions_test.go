package terraform

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/acme/guard/internal/limits"
)

// terraformFunctions are the functions Terraform's documentation lists
// (developer.hashicorp.com/terraform/language/functions), plus the built-in
// provider's; `type` exists only in `terraform console`.
var terraformFunctions = []string{
	"abs", "ceil", "floor", "log", "max", "min", "parseint", "pow", "signum",
	"chomp", "endswith", "format", "formatlist", "indent", "join", "lower", "regex", "regexall", "replace",
	"split", "startswith", "strcontains", "strrev", "substr", "templatestring", "title", "trim", "trimprefix",
	"trimsuffix", "trimspace", "upper",
	"alltrue", "anytrue", "chunklist", "coalesce", "coalescelist", "compact", "concat", "contains", "distinct",
	"element", "flatten", "index", "keys", "length", "lookup", "matchkeys", "merge", "one", "range", "reverse",
	"setintersection", "setproduct", "setsubtract", "setunion", "slice", "sort", "sum", "transpose", "values", "zipmap",
	"base64decode", "base64encode", "base64gzip", "csvdecode", "jsondecode", "jsonencode", "textdecodebase64",
	"textencodebase64", "urlencode", "yamldecode", "yamlencode",
	"abspath", "dirname", "pathexpand", "basename", "file", "fileexists", "fileset", "filebase64", "templatefile",
	"formatdate", "plantimestamp", "timeadd", "timecmp", "timestamp",
	"base64sha256", "base64sha512", "bcrypt", "filebase64sha256", "filebase64sha512", "filemd5", "filesha1",
	"filesha256", "filesha512", "md5", "rsadecrypt", "sha1", "sha256", "sha512", "uuid", "uuidv5",
	"cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets",
	"can", "ephemeralasnull", "issensitive", "nonsensitive", "sensitive", "tobool", "tolist", "tomap", "tonumber",
	"toset", "tostring", "try",
	"provider::terraform::encode_tfvars", "provider::terraform::decode_tfvars", "provider::terraform::encode_expr",
}

func TestEveryTerraformFunctionIsThere(t *testing.T) {
	fns := Functions(t.TempDir(), limits.Default, nil)
	for _, name := range terraformFunctions {
		if _, ok := fns[name]; !ok {
			t.Errorf("function %s is missing", name)
		}
		if !strings.Contains(name, "::") {
			if _, ok := fns["core::"+name]; !ok {
				t.Errorf("function core::%s is missing", name)
			}
		}
	}
}

// TestFunctionsAsDocumented evaluates the examples of Terraform's function
// documentation and compares with the results it documents.
func TestFunctionsAsDocumented(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("hello.txt", "Hello World")
	write("backends.tftpl", "%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cipher, err := rsa.EncryptPKCS1v15(rand.Reader, &key.PublicKey, []byte("Hello World"))
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	home, _ := os.UserHomeDir()
	sum := sha256.Sum256([]byte("Hello World"))

	vars := map[string]cty.Value{
		"local": cty.ObjectVal(map[string]cty.Value{
			"tmpl":   cty.StringVal("Hello, ${name}!"),
			"cipher": cty.StringVal(base64.StdEncoding.EncodeToString(cipher)),
			"key":    cty.StringVal(pemKey),
		}),
		"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(".")}),
	}
	tests := []struct{ expr, want string }{
		{`abs(-12.4)`, `12.4`},
		{`ceil(4.1)`, `5`},
		{`floor(4.9)`, `4`},
		{`log(16, 2)`, `4`},
		{`max(12, 54, 3)`, `54`},
		{`min(12, 54, 3)`, `3`},
		{`parseint("FF", 16)`, `255`},
		{`pow(3, 2)`, `9`},
		{`signum(-13)`, `-1`},
		{`sum([10, 13, 6, 4.5])`, `33.5`},
		{`chomp("hello\n")`, `"hello"`},
		{`endswith("hello world", "world")`, `true`},
		{`format("Hello, %s!", "Ander")`, `"Hello, Ander!"`},
		{`formatlist("Hello, %s!", ["Valentina", "Ander"])`, `["Hello, Valentina!", "Hello, Ander!"]`},
		{`indent(2, "[\n  foo,\n  bar,\n]\n")`, `"[\n    foo,\n    bar,\n  ]\n  "`},
		{`join(", ", ["foo", "bar", "baz"])`, `"foo, bar, baz"`},
		{`lower("HELLO")`, `"hello"`},
		{`regex("[a-z]+", "53453453.345345aaabbbccc23454")`, `"aaabbbccc"`},
		{`regexall("[a-z]+", "1234abcd5678efgh9")`, `["abcd", "efgh"]`},
		{`replace("1 + 2 + 3", "+", "-")`, `"1 - 2 - 3"`},
		{`replace("hello world", "/w.*d/", "everybody")`, `"hello everybody"`},
		{`split(",", "foo,bar,baz")`, `["foo", "bar", "baz"]`},
		{`startswith("hello world", "hello")`, `true`},
		{`strcontains("hello world", "wor")`, `true`},
		{`strrev("hello")`, `"olleh"`},
		{`substr("hello world", 1, 4)`, `"ello"`},
		{`templatestring(local.tmpl, { name = "Ander" })`, `"Hello, Ander!"`},
		{`title("hello world")`, `"Hello World"`},
		{`trim("?!hello?!", "!?")`, `"hello"`},
		{`trimprefix("helloworld", "hello")`, `"world"`},
		{`trimsuffix("helloworld", "world")`, `"hello"`},
		{`trimspace("  hello\n\n")`, `"hello"`},
		{`upper("hello")`, `"HELLO"`},
		{`alltrue(["true", true])`, `true`},
		{`alltrue([true, false])`, `false`},
		{`alltrue([])`, `true`},
		{`anytrue(["true"])`, `true`},
		{`anytrue([])`, `false`},
		{`chunklist(["a", "b", "c", "d", "e"], 2)`, `[["a", "b"], ["c", "d"], ["e"]]`},
		{`coalesce("", "b")`, `"b"`},
		{`coalesce(1, 2)`, `1`},
		{`coalescelist(["a", "b"], ["c", "d"])`, `["a", "b"]`},
		{`compact(["a", "", "b", null, "c"])`, `["a", "b", "c"]`},
		{`concat(["a", ""], ["b", "c"])`, `["a", "", "b", "c"]`},
		{`contains(["a", "b", "c"], "a")`, `true`},
		{`distinct(["a", "b", "a", "c", "d", "b"])`, `["a", "b", "c", "d"]`},
		{`element(["a", "b", "c"], 3)`, `"a"`},
		{`flatten([["a", "b"], [], ["c"]])`, `["a", "b", "c"]`},
		{`index(["a", "b", "c"], "b")`, `1`},
		{`keys({ a = 1, c = 2, d = 3 })`, `["a", "c", "d"]`},
		{`length([])`, `0`},
		{`length(["a", "b"])`, `2`},
		{`length({ "a" = "b" })`, `1`},
		{`length("hello")`, `5`},
		{`length("👾🕹️")`, `2`},
		{`lookup({ a = "ay", b = "bee" }, "a", "what?")`, `"ay"`},
		{`lookup({ a = "ay", b = "bee" }, "c", "what?")`, `"what?"`},
		{`matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])`, `["i-abc", "i-def"]`},
		{`merge({ a = "b", c = "d" }, { e = "f", c = "z" })`, `{ a = "b", c = "z", e = "f" }`},
		{`one([])`, `null`},
		{`one(["hello"])`, `"hello"`},
		{`range(3)`, `[0, 1, 2]`},
		{`range(1, 8, 2)`, `[1, 3, 5, 7]`},
		{`reverse([1, 2, 3])`, `[3, 2, 1]`},
		{`setintersection(["a", "b"], ["b", "c"], ["b", "d"])`, `["b"]`},
		{`setproduct(["development", "staging"], ["app1", "app2"])`, `[["development", "app1"], ["development", "app2"], ["staging", "app1"], ["staging", "app2"]]`},
		{`setsubtract(["a", "b", "c"], ["a", "c"])`, `["b"]`},
		{`setunion(["a", "b"], ["b", "c"], ["d"])`, `["a", "b", "c", "d"]`},
		{`slice(["a", "b", "c", "d"], 1, 3)`, `["b", "c"]`},
		{`sort(["e", "d", "a", "x"])`, `["a", "d", "e", "x"]`},
		{`transpose({ "a" = ["1", "2"], "b" = ["2", "3"] })`, `{ "1" = ["a"], "2" = ["a", "b"], "3" = ["b"] }`},
		{`values({ a = 3, c = 2, d = 1 })`, `[3, 2, 1]`},
		{`zipmap(["a", "b"], [1, 2])`, `{ a = 1, b = 2 }`},
		{`base64decode("SGVsbG8gV29ybGQ=")`, `"Hello World"`},
		{`base64encode("Hello World")`, `"SGVsbG8gV29ybGQ="`},
		{`substr(base64gzip("test"), 0, 4)`, `"H4sI"`},
		{`csvdecode("a,b,c\n1,2,3\n4,5,6")`, `[{ a = "1", b = "2", c = "3" }, { a = "4", b = "5", c = "6" }]`},
		{`jsondecode("{\"hello\": \"world\"}")`, `{ hello = "world" }`},
		{`jsonencode({ "hello" = "world" })`, `"{\"hello\":\"world\"}"`},
		{`textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")`, `"Hello World"`},
		{`textencodebase64("Hello World", "UTF-16LE")`, `"SABlAGwAbABvACAAVwBvAHIAbABkAA=="`},
		{`urlencode("Hello World!")`, `"Hello+World%21"`},
		{`yamldecode("hello: world")`, `{ hello = "world" }`},
		{`yamlencode({ "a" = "b", "c" = "d" })`, `"\"a\": \"b\"\n\"c\": \"d\"\n"`},
		{`abspath("/a/b/../c")`, `"/a/c"`},
		{`dirname("foo/bar/baz.txt")`, `"foo/bar"`},
		{`pathexpand("~/.ssh/id_rsa")`, `"` + home + `/.ssh/id_rsa"`},
		{`basename("foo/bar/baz.txt")`, `"baz.txt"`},
		{`file("hello.txt")`, `"Hello World"`},
		{`fileexists("hello.txt")`, `true`},
		{`fileexists("nope.txt")`, `false`},
		{`fileset(path.module, "*.txt")`, `["hello.txt"]`},
		{`filebase64("hello.txt")`, `"SGVsbG8gV29ybGQ="`},
		{`templatefile("backends.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })`, `"backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n"`},
		{`formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")`, `"02 Jan 2018 23:12 UTC"`},
		{`formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")`, `"Tuesday, 02-Jan-18 23:12:01 UTC"`},
		{`timeadd("2017-11-22T00:00:00Z", "10m")`, `"2017-11-22T00:10:00Z"`},
		{`timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")`, `0`},
		{`timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z")`, `1`},
		{`timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z")`, `-1`},
		{`base64sha256("hello world")`, `"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="`},
		{`base64sha512("hello world")`, `"MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="`},
		{`filebase64sha256("hello.txt")`, `"` + base64.StdEncoding.EncodeToString(sum[:]) + `"`},
		{`filemd5("hello.txt")`, `"b10a8db164e0754105b7a99be72e3fe5"`},
		{`filesha1("hello.txt")`, `"0a4d55a8d778e5022fab701977c5d840bbc486d0"`},
		{`filesha256("hello.txt")`, `"a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"`},
		{`filesha512("hello.txt")`, `"2c74fd17edafd80e8447b0d46741ee243b7eb74dd2149a0ab1b9246fb30382f27e853d8585719e0e67cbda0daa8f51671064615d645ae27acb15bfb1447f459b"`},
		{`substr(filebase64sha512("hello.txt"), 0, 8)`, `"LHT9F+2v"`},
		{`md5("hello world")`, `"5eb63bbbe01eeed093cb22bb8f5acdc3"`},
		{`rsadecrypt(local.cipher, local.key)`, `"Hello World"`},
		{`sha1("hello world")`, `"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"`},
		{`sha256("hello world")`, `"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"`},
		{`sha512("hello world")`, `"309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"`},
		{`uuidv5("dns", "www.terraform.io")`, `"a5008fae-b28c-5ba5-96cd-82b4c53552d6"`},
		{`uuidv5("url", "https://www.terraform.io/")`, `"9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"`},
		{`cidrhost("10.12.112.0/20", 16)`, `"10.12.112.16"`},
		{`cidrhost("10.12.112.0/20", 268)`, `"10.12.113.12"`},
		{`cidrnetmask("172.16.0.0/12")`, `"255.240.0.0"`},
		{`cidrsubnet("172.16.0.0/12", 4, 2)`, `"172.18.0.0/16"`},
		{`cidrsubnet("10.1.2.0/24", 4, 15)`, `"10.1.2.240/28"`},
		{`cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`, `["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]`},
		{`can(regex("^[a-z]+$", "abc"))`, `true`},
		{`can(regex("^[a-z]+$", "123"))`, `false`},
		{`ephemeralasnull("x")`, `"x"`},
		{`issensitive(sensitive("x"))`, `true`},
		{`issensitive("x")`, `false`},
		{`nonsensitive(sensitive("x"))`, `"x"`},
		{`tobool("true")`, `true`},
		{`tolist(["a", "b", "c"])`, `["a", "b", "c"]`},
		{`tomap({ "a" = 1, "b" = 2 })`, `{ a = 1, b = 2 }`},
		{`tonumber("1")`, `1`},
		{`toset(["a", "b", "a"])`, `["a", "b"]`},
		{`tostring(1)`, `"1"`},
		{`try(tonumber("x"), 0)`, `0`},
		{`provider::terraform::encode_expr("hello")`, `"\"hello\""`},
		{`provider::terraform::encode_tfvars({ example = "Hello!" })`, `"example = \"Hello!\"\n"`},
		{`provider::terraform::decode_tfvars("example = \"Hello!\"")`, `{ example = "Hello!" }`},
		{`core::upper("core")`, `"CORE"`},
	}
	ctx := &hcl.EvalContext{Variables: vars, Functions: Functions(dir, limits.Default, nil)}
	covered := map[string]bool{}
	for _, tt := range tests {
		expr, d := hclsyntax.ParseExpression([]byte(tt.expr), "test.tf", hcl.Pos{Line: 1, Column: 1})
		if d.HasErrors() {
			t.Fatalf("%s: %s", tt.expr, d.Error())
		}
		for _, name := range functionCalls(expr) {
			covered[name] = true
		}
		got, d := expr.Value(ctx)
		if d.HasErrors() {
			t.Errorf("%s: %s", tt.expr, d.Error())
			continue
		}
		want, d := hclsyntax.ParseExpression([]byte(tt.want), "want", hcl.Pos{Line: 1, Column: 1})
		if d.HasErrors() {
			t.Fatalf("%s: %s", tt.want, d.Error())
		}
		wantVal, _ := want.Value(nil)
		if g, w := simpleJSON(t, got), simpleJSON(t, wantVal); g != w {
			t.Errorf("%s = %s, want %s", tt.expr, g, w)
		}
	}
	// Impure functions are unknown: guard cannot know what they return at apply.
	for _, expr := range []string{`timestamp()`, `uuid()`, `bcrypt("x")`, `plantimestamp()`} {
		e, _ := hclsyntax.ParseExpression([]byte(expr), "test.tf", hcl.Pos{Line: 1, Column: 1})
		for _, name := range functionCalls(e) {
			covered[name] = true
		}
		if v, d := e.Value(ctx); d.HasErrors() || v.IsKnown() {
			t.Errorf("%s = %#v (%s), want unknown", expr, v, d.Error())
		}
	}
	for _, name := range terraformFunctions {
		if !covered[name] {
			t.Errorf("no documented example tests %s", name)
		}
	}
}

// TestFileFunctionsReadRegularFilesOnly: file("/dev/zero") or a FIFO would never return.
func TestFileFunctionsReadRegularFilesOnly(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	lim := limits.Default
	lim.FileSize = 1024
	ctx := &hcl.EvalContext{Functions: Functions(dir, lim, nil)}
	for expr, want := range map[string]string{
		`file("/dev/zero")`:       "not a regular file",
		`filesha256("/dev/zero")`: "not a regular file",
		`file("big.txt")`:         "file-size",
	} {
		e, _ := hclsyntax.ParseExpression([]byte(expr), "test.tf", hcl.Pos{Line: 1, Column: 1})
		if _, d := e.Value(ctx); !d.HasErrors() || !strings.Contains(d.Error(), want) {
			t.Errorf("%s: %v, want an error mentioning %q", expr, d, want)
		}
	}
}

func functionCalls(e hcl.Expression) []string {
	var names []string
	hclsyntax.VisitAll(e.(hclsyntax.Node), func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			names = append(names, strings.TrimPrefix(c.Name, "core::"))
		}
		return nil
	})
	slices.Sort(names)
	return names
}

func simpleJSON(t *testing.T, v cty.Value) string {
	t.Helper()
	v, _ = v.UnmarkDeep()
	b, err := ctyjson.SimpleJSONValue{Value: v}.MarshalJSON()
	if err != nil {
		t.Fatalf("%#v: %v", v, err)
	}
	return string(b)
}
