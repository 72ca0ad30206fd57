package route

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestKindNames_EveryKind_Named reads this package's own source and requires
// as many names as there are constants of type Kind. Each constant is a
// distinct value and kindNames can only name constants that exist, so equal
// counts mean every Kind is named: a new endpoint cannot reach metrics and
// logs as an anonymous number.
func TestKindNames_EveryKind_Named(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			consts = append(consts, kindConsts(f)...)
		}
	}
	if len(consts) != len(kindNames) {
		t.Fatalf("%d Kind constants (%v) but %d names in kindNames: name the new kinds", len(consts), consts, len(kindNames))
	}
	names := map[string]bool{}
	for _, n := range kindNames {
		if names[n] {
			t.Errorf("two kinds are named %q", n)
		}
		names[n] = true
	}
}

// kindConsts lists the constants of type Kind declared in f: in a const block, a
// spec without a type continues the type of the one before it (iota blocks).
func kindConsts(f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		inKind := false
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			switch typ := vs.Type.(type) {
			case *ast.Ident:
				inKind = typ.Name == "Kind"
			case nil:
				if len(vs.Values) > 0 {
					inKind = false // an untyped constant with its own value
				}
			default:
				inKind = false
			}
			if inKind {
				for _, n := range vs.Names {
					out = append(out, n.Name)
				}
			}
		}
	}
	return out
}
