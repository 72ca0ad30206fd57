package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
)

// labelPrefix starts every Ginkgo label that names a spec rule.
const labelPrefix = "rule:"

// labelUse is one "rule:ID" string literal in a test file.
type labelUse struct {
	ID   string
	File string
	Line int
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
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !strings.HasPrefix(s, labelPrefix) {
			return true
		}
		// A bare "rule:" is a prefix being concatenated, not a label.
		if id := strings.TrimPrefix(s, labelPrefix); id != "" {
			pos := fset.Position(lit.Pos())
			uses = append(uses, labelUse{ID: id, File: pos.Filename, Line: pos.Line})
		}
		return true
	})
	return uses, nil
}
