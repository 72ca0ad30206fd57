package query

import (
	"bytes"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Filter names the reserved fields a wrapped query is filtered on.
type Filter struct {
	TenantField, IndexField string
	Tenant, Index           string
}

// Wrap appends body with its top-level query wrapped in the filter (SRCH-2): other
// members are kept in order byte for byte; a missing query becomes match_all.
// body must be a valid JSON object, or empty.
func Wrap(dst, body []byte, f Filter) ([]byte, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dst = append(dst, '{')
	n, wrapped := 0, false
	err := jsonstream.Members(body, func(key, value []byte) error {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		if jsonstream.KeyIs(key, "query") {
			dst = appendWrapped(dst, value, f)
			wrapped = true
			return nil
		}
		dst = append(dst, '"')
		dst = append(dst, key...)
		dst = append(dst, '"', ':')
		dst = append(dst, value...)
		return nil
	})
	if err != nil {
		return dst, err
	}
	if !wrapped {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = appendWrapped(dst, []byte(`{"match_all":{}}`), f)
	}
	return append(dst, '}'), nil
}

func appendWrapped(dst, q []byte, f Filter) []byte {
	dst = append(dst, `"query":{"bool":{"filter":[{"term":{`...)
	dst = jsonstream.AppendString(dst, f.TenantField)
	dst = append(dst, ':')
	dst = jsonstream.AppendString(dst, f.Tenant)
	dst = append(dst, `}},{"term":{`...)
	dst = jsonstream.AppendString(dst, f.IndexField)
	dst = append(dst, ':')
	dst = jsonstream.AppendString(dst, f.Index)
	dst = append(dst, `}}],"must":[`...)
	dst = append(dst, q...)
	return append(dst, `]}}`...)
}
