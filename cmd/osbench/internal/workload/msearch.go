package workload

import (
	"strconv"
	"strings"
)

// MultiSearch is a _msearch of Docs items, each the small search (ten hits).
const MultiSearch Kind = "msearch"

func msearchName(items int) string { return "msearch-" + strconv.Itoa(items) + "x10hits" }

// msearchRequest is Docs small searches in one _msearch. DT sends what the tenancy
// proxy sends upstream: each header naming the physical index routed by tenant, each
// body wrapped in the tenant filter (READ-15).
func msearchRequest(leg Leg, host string, items int) []byte {
	body := `{"query":{"match":{"msg":"hi"}}}`
	header := `{}`
	path := "/" + Logical + "/_msearch"
	if leg == DirectTenant {
		header = `{"index":"` + Physical + `","routing":"` + Tenant + `"}`
		body = WrapQuery(body)
		path = "/_msearch"
	}
	var b strings.Builder
	for i := 0; i < items; i++ {
		b.WriteString(header + "\n" + body + "\n")
	}
	return build("POST", path, host, leg, "application/x-ndjson", []byte(b.String()))
}
