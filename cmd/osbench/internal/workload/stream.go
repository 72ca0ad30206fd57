package workload

import (
	"bytes"
	"fmt"
	"strconv"
)

// Upload is a streamed request: a head, then Size bytes made by repeating
// Piece. Only Piece is in memory.
type Upload struct {
	Head  []byte
	Piece []byte
	Size  int64
}

// UploadFor returns the streamed request of an upload workload.
func UploadFor(kind Kind, leg Leg, host string, size int64) (Upload, error) {
	switch kind {
	case StreamUp:
		// STR-1: a 64 MiB passthrough body that is not JSON.
		piece := bytes.Repeat([]byte("0123456789abcdef"), 4096)
		return Upload{Head: uploadHead("POST", "/raw/_doc", host, leg, "application/octet-stream", size),
			Piece: piece, Size: size}, nil
	case StreamBulk:
		piece := bulkPiece(leg)
		size -= size % int64(len(piece))
		path := "/" + Logical + "/_bulk"
		if leg == DirectTenant {
			path = "/_bulk"
		}
		return Upload{Head: uploadHead("POST", path, host, leg, "application/x-ndjson", size),
			Piece: piece, Size: size}, nil
	}
	return Upload{}, fmt.Errorf("building upload: kind %q is not an upload", kind)
}

// bulkPiece is about 64 KiB of whole bulk items of 1 KiB documents, so any
// number of pieces is a valid NDJSON body.
func bulkPiece(leg Leg) []byte {
	var b bytes.Buffer
	for i := 1; b.Len() < 60<<10; i++ {
		doc := Doc(1<<10, i)
		if leg == DirectTenant {
			fmt.Fprintf(&b, `{"index":{"_index":%q,"_id":"%s%d","routing":%q}}`+"\n%s\n",
				Physical, IDPrefix, i, Tenant, injectReserved(doc))
			continue
		}
		fmt.Fprintf(&b, `{"index":{"_id":"%d"}}`+"\n%s\n", i, doc)
	}
	return b.Bytes()
}

func uploadHead(method, target, host string, leg Leg, ctype string, size int64) []byte {
	head := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
	if leg.Tenant() {
		head += "x-tenant: " + Tenant + "\r\n"
	}
	head += "Content-Type: " + ctype + "\r\nContent-Length: " + strconv.FormatInt(size, 10) + "\r\n\r\n"
	return []byte(head)
}
