package query

import (
	"encoding/base64"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Filter names the reserved fields a wrapped query is filtered on, and the tenant's
// view: whose documents, of which logical index.
type Filter struct {
	TenantField, IndexField string
	Tenant, Index           string
	// Indices, when it holds more than one name, replaces Index: the view is several
	// logical indices and the filter a terms on IndexField (READ-3). AllIndices drops the
	// index filter: every logical index of the tenant (READ-2).
	Indices    []string
	AllIndices bool
}

// single reports whether the view is one logical index, the only view in which a
// logical id names one document (ISO-9).
func (f *Filter) single() bool { return !f.AllIndices && len(f.Indices) <= 1 }

// appendWrapped writes the tenant filter around a judged query (SRCH-2): the filter
// sits at the root of the query the cluster runs, whatever the client's query is.
func (j *judge) appendWrapped(q jsonstream.Value) error {
	f := &j.pol.Filter
	j.out = append(j.out, `{"bool":{"filter":[{"term":{`...)
	j.out = jsonstream.AppendString(j.out, f.TenantField)
	j.out = append(j.out, ':')
	j.out = jsonstream.AppendString(j.out, f.Tenant)
	j.out = appendIndexFilter(j.out, f)
	j.out = append(j.out, `],"must":[`...)
	if q.Valid() {
		if err := queryKind.judge(j, q); err != nil {
			return err
		}
	} else {
		j.out = append(j.out, `{"match_all":{}}`...)
	}
	j.out = append(j.out, `]}}`...)
	return nil
}

// appendIndexFilter appends the filter's index clause after the tenant's term: a term on
// one logical index, a terms on several, nothing for all of them (READ-3, READ-2).
func appendIndexFilter(out []byte, f *Filter) []byte {
	switch {
	case f.AllIndices:
		return append(out, `}}`...)
	case len(f.Indices) > 1:
		out = append(out, `}},{"terms":{`...)
		out = jsonstream.AppendString(out, f.IndexField)
		out = append(out, ':', '[')
		for i, name := range f.Indices {
			if i > 0 {
				out = append(out, ',')
			}
			out = jsonstream.AppendString(out, name)
		}
		return append(out, `]}}`...)
	}
	out = append(out, `}},{"term":{`...)
	out = jsonstream.AppendString(out, f.IndexField)
	out = append(out, ':')
	return append(jsonstream.AppendString(out, f.Index), `}}`...)
}

// wrapper decodes a wrapper query, judges what it holds as a query at this position and
// emits it inline (ISO-5): OpenSearch would decode it after the proxy, so it is decoded
// here, and the cluster never sees an encoded query.
func (j *judge) wrapper(v jsonstream.Value) error {
	if v.Kind() != '{' || v.Len() != 1 || !jsonstream.KeyIs(v.First().Key(), "query") {
		return j.refuse("expected {\"query\": BASE64}")
	}
	s, ok := stringText(v.First())
	if !ok {
		return j.refuse("expected a base64 string")
	}
	doc, err := decodeBase64(s)
	if err != nil {
		return j.refuse("the wrapper query is not valid base64")
	}
	inner, err := j.parseEmbedded(doc)
	if err != nil {
		return j.refuse("the wrapper query must hold one JSON object (other content types are not accepted)")
	}
	return queryKind.judge(j, inner)
}

// decodeBase64 accepts the standard alphabet with or without padding, as the cluster's
// decoder does; the URL-safe alphabet too, which is harmless since the result is judged.
func decodeBase64(s []byte) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		out := make([]byte, enc.DecodedLen(len(s)))
		if n, err := enc.Decode(out, s); err == nil {
			return out[:n], nil
		}
	}
	return nil, base64.CorruptInputError(0)
}
