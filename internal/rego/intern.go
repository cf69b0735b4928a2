package rego

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unsafe"

	"github.com/open-policy-agent/opa/v1/ast"
)

// interner converts Go values (as JSON decodes them) into OPA's AST, sharing
// every repeated value: one term per distinct string, number and boolean, and
// one per distinct array or object (hash-consed bottom-up). A platform's
// plan repeats most of itself (a region module instantiated per region,
// labels, node settings, the same chart released many times), and OPA's AST
// takes ten to twenty times the bytes of the JSON it holds; sharing is what
// keeps the input's AST within memory at 100,000 resources.
//
// Sharing is safe because evaluation never modifies input terms (OPA's own
// interning shares common strings and numbers the same way) and the
// conversion is done before any query runs.
type interner struct {
	strings    map[string]*ast.Term
	numbers    map[string]*ast.Term
	composites map[string]*ast.Term
	key        []byte
}

func newInterner() *interner {
	return &interner{strings: map[string]*ast.Term{}, numbers: map[string]*ast.Term{}, composites: map[string]*ast.Term{}}
}

func (n *interner) term(x any) (*ast.Term, error) {
	switch x := x.(type) {
	case *ast.Term:
		return x, nil
	case nil:
		return ast.NullTerm(), nil
	case bool:
		return ast.InternedTerm(x), nil
	case string:
		return n.str(x), nil
	case json.Number:
		return n.number(string(x)), nil
	case int:
		return n.number(strconv.Itoa(x)), nil
	case []any:
		elems := make([]*ast.Term, len(x))
		for i, e := range x {
			t, err := n.term(e)
			if err != nil {
				return nil, err
			}
			elems[i] = t
		}
		return n.composite('a', elems, func() ast.Value { return ast.NewArray(elems...) }), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]*ast.Term, 0, 2*len(x))
		for _, k := range keys {
			t, err := n.term(x[k])
			if err != nil {
				return nil, err
			}
			parts = append(parts, n.str(k), t)
		}
		return n.composite('o', parts, func() ast.Value {
			kvs := make([][2]*ast.Term, len(keys))
			for i := range kvs {
				kvs[i] = [2]*ast.Term{parts[2*i], parts[2*i+1]}
			}
			return ast.NewObject(kvs...)
		}), nil
	default:
		v, err := ast.InterfaceToValue(x)
		if err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		return ast.NewTerm(v), nil
	}
}

func (n *interner) str(s string) *ast.Term {
	t, ok := n.strings[s]
	if !ok {
		t = ast.StringTerm(s)
		n.strings[s] = t
	}
	return t
}

func (n *interner) number(s string) *ast.Term {
	t, ok := n.numbers[s]
	if !ok {
		t = ast.NumberTerm(json.Number(s))
		n.numbers[s] = t
	}
	return t
}

// composite returns the term already made for an array or object of the same
// parts, or a new one. Parts are interned first, so equal composites have
// identical part terms: the parts' addresses identify the value without
// walking it (Go's collector does not move objects, and the terms stay
// referenced while the interner lives).
func (n *interner) composite(kind byte, parts []*ast.Term, value func() ast.Value) *ast.Term {
	n.key = append(n.key[:0], kind)
	for _, p := range parts {
		n.key = binary.LittleEndian.AppendUint64(n.key, uint64(uintptr(unsafe.Pointer(p))))
	}
	if t, ok := n.composites[string(n.key)]; ok {
		return t
	}
	t := ast.NewTerm(value())
	n.composites[string(n.key)] = t
	return t
}
