package query

import (
	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// param is one listed member of an object: its name and the kind of its value.
type param struct {
	name string
	kind *kind
}

func p(name string, k *kind) param { return param{name, k} }

// object is an allow-listed JSON object: only its params, each judged by its kind.
type object struct {
	params []param
	index  map[string]int    // name → position in params
	alias  map[string]string // a spelling OpenSearch also reads → the listed name
}

func obj(params ...param) *object {
	o := &object{params: params, index: make(map[string]int, len(params))}
	for i, pr := range params {
		o.index[pr.name] = i
	}
	return o
}

// with returns o extended by more params (a clause's own params plus shared ones).
func (o *object) with(more ...param) *object {
	return obj(append(append([]param(nil), o.params...), more...)...)
}

// aliased records spellings OpenSearch reads as a listed name; the canonical name is
// what goes upstream.
func (o *object) aliased(pairs ...string) *object {
	o.alias = make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		o.alias[pairs[i]] = pairs[i+1]
	}
	return o
}

// lookup finds the listed name and kind of a raw member name, or "" and nil.
func (o *object) lookup(raw []byte) (string, *kind) {
	i, ok := o.index[string(raw)] // no allocation: the conversion is only a map key
	if !ok && hasEscape(raw) {
		i, ok = o.index[keyText(raw)]
	}
	if !ok && o.alias != nil {
		var canon string
		if canon, ok = o.alias[keyText(raw)]; ok {
			i = o.index[canon]
		}
	}
	if !ok {
		return "", nil
	}
	return o.params[i].name, o.params[i].kind
}

// clauseOf finds a clause by its raw name in one of the clause tables.
func clauseOf(m map[string]*clause, raw []byte) *clause {
	if c, ok := m[string(raw)]; ok {
		return c
	}
	if hasEscape(raw) {
		return m[keyText(raw)]
	}
	return nil
}

// judge accepts an object of listed members only and emits each canonically.
func (o *object) judge(j *judge, v jsonstream.Value) error {
	if v.Kind() != '{' {
		return j.refuse("expected an object")
	}
	j.out = append(j.out, '{')
	n := 0
	for m := v.First(); m.Valid(); m = m.Next() {
		j.enter(m.Key())
		name, k := o.lookup(m.Key())
		if k == nil {
			return j.refuse("unknown member; the allow-list of this object does not list it")
		}
		j.comma(n)
		j.writeKey(name)
		if err := k.judge(j, m); err != nil {
			return err
		}
		j.leave()
		n++
	}
	j.out = append(j.out, '}')
	return nil
}

func (o *object) kind(doc string) *kind { return &kind{doc, o.judge} }

// fieldKeyed is the form of term, match, range and their kin: one member named by a
// field, whose value is the clause's short or long form, beside a few listed params.
type fieldKeyed struct {
	same  *object   // params beside the field member
	mode  fieldMode // what the field may be
	value *kind     // the field member's value
}

func (fk *fieldKeyed) judge(j *judge, v jsonstream.Value) error {
	if v.Kind() != '{' {
		return j.refuse("expected an object naming one field")
	}
	j.out = append(j.out, '{')
	n, fields := 0, 0
	for m := v.First(); m.Valid(); m = m.Next() {
		j.enter(m.Key())
		j.comma(n)
		n++
		if name, k := fk.same.lookup(m.Key()); k != nil {
			j.writeKey(name)
			if err := k.judge(j, m); err != nil {
				return err
			}
			j.leave()
			continue
		}
		if fields++; fields > 1 {
			return j.refuse("the clause names more than one field")
		}
		name, err := j.fieldKey(m, fk.mode)
		if err != nil {
			return err
		}
		j.onID = string(name) == "_id"
		err = fk.value.judge(j, m)
		j.onID = false
		if err != nil {
			return err
		}
		j.leave()
	}
	if fields == 0 {
		return j.refuse("the clause names no field")
	}
	j.out = append(j.out, '}')
	return nil
}

// orLong accepts a short value of kind short or the long-form object long.
func orLong(short *kind, long *object) *kind {
	return &kind{short.doc + ", or an object of the parameters below", func(j *judge, v jsonstream.Value) error {
		if v.Kind() == '{' {
			return long.judge(j, v)
		}
		return short.judge(j, v)
	}}
}

// clause is one entry of the allow-list's query or aggregation table.
type clause struct {
	name  string
	shape string  // how the spec describes the clause's form
	body  *object // its parameters (the long form for a field-keyed clause)
	same  *object // a field-keyed clause's params beside the field
	judge func(*judge, jsonstream.Value) error
}

// objectClause is a clause whose body is an object of listed params.
func objectClause(name string, body *object) *clause {
	return &clause{name: name, shape: "An object of the parameters below", body: body, judge: body.judge}
}

// keyedClause is a clause of one field member plus same.
func keyedClause(name string, mode fieldMode, short *kind, long, same *object) *clause {
	var value *kind
	var shape string
	switch {
	case long == nil:
		value, shape = short, "`{FIELD: VALUE}` where VALUE is "+short.doc
	case short == nil:
		value, shape = long.kind("object"), "`{FIELD: {…}}` with the parameters below"
	default:
		value = orLong(short, long)
		shape = "`{FIELD: VALUE}` where VALUE is " + short.doc + " or an object of the parameters below"
	}
	fk := &fieldKeyed{same: same, mode: mode, value: value}
	return &clause{name: name, shape: shape, body: long, same: same, judge: fk.judge}
}
