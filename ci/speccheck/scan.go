package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// labelPrefix starts every Ginkgo label that names a spec rule, and
// profilePrefix every label that names a profile.
const (
	labelPrefix   = "rule:"
	profilePrefix = "profile:"
)

// labelUse is one "rule:ID" string literal in a test file, with the
// distinct "profile:" labels of the test that carries it: those in the
// Label(…) arguments of the call holding the literal and of every call
// around it (the It and its containers), in order of appearance.
type labelUse struct {
	ID       string
	File     string
	Line     int
	Profiles []string
}

// Location returns "file:line" of the literal.
func (u labelUse) Location() string {
	return fmt.Sprintf("%s:%d", u.File, u.Line)
}

// scanLabels walks dir for *_test.go files and returns every "rule:ID"
// literal in them, in walk order.
func scanLabels(dir string) ([]labelUse, error) {
	var uses []labelUse
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		found, err := fileLabels(fset, path)
		uses = append(uses, found...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walking %s: %w", dir, err)
	}
	return uses, nil
}

// skipDir reports whether the go tool would ignore a directory of this name,
// so that fixtures are not mistaken for tests.
func skipDir(name string) bool {
	return name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func fileLabels(fset *token.FileSet, path string) ([]labelUse, error) {
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parsing test file: %w", err)
	}
	var uses []labelUse
	var calls []*ast.CallExpr // the calls enclosing the node being visited
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			if top := stack[len(stack)-1]; isCall(top) {
				calls = calls[:len(calls)-1]
			}
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if c, ok := n.(*ast.CallExpr); ok {
			calls = append(calls, c)
		}
		if id, ok := ruleLabel(n); ok {
			pos := fset.Position(n.Pos())
			uses = append(uses, labelUse{ID: id, File: pos.Filename, Line: pos.Line, Profiles: profilesAround(calls)})
		}
		return true
	})
	return uses, nil
}

func isCall(n ast.Node) bool {
	_, ok := n.(*ast.CallExpr)
	return ok
}

// ruleLabel reports whether n is a "rule:ID" string literal and its id. A
// bare "rule:" is a prefix being concatenated, not a label.
func ruleLabel(n ast.Node) (string, bool) {
	s, ok := stringLiteral(n)
	if !ok {
		return "", false
	}
	id, ok := strings.CutPrefix(s, labelPrefix)
	return id, ok && id != ""
}

func stringLiteral(n ast.Node) (string, bool) {
	lit, ok := n.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// profilesAround collects the distinct profile labels passed through
// Label(…) to any of calls: the It holding a rule label and its containers.
func profilesAround(calls []*ast.CallExpr) []string {
	var out []string
	collect := func(label *ast.CallExpr) {
		for _, a := range label.Args {
			s, ok := stringLiteral(a)
			if p, found := strings.CutPrefix(s, profilePrefix); ok && found && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	for _, c := range calls {
		if isLabelCall(c) {
			collect(c)
		}
		for _, arg := range c.Args {
			if label, ok := arg.(*ast.CallExpr); ok && isLabelCall(label) {
				collect(label)
			}
		}
	}
	return out
}

// isLabelCall reports whether c calls Label or pkg.Label.
func isLabelCall(c *ast.CallExpr) bool {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		return fn.Name == "Label"
	case *ast.SelectorExpr:
		return fn.Sel.Name == "Label"
	}
	return false
}
