package harness

import (
	"strings"
	"testing"
)

func TestTailBuffer_Writes_KeepsLastBytes(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"under limit", []string{"ab", "cd"}, "abcd"},
		{"at limit", []string{"abcdefgh"}, "abcdefgh"},
		{"over limit", []string{"abcdef", "ghij"}, "cdefghij"},
		{"past compaction", []string{"0123456789", "abcdefghij", "XYZ"}, "fghijXYZ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTailBuffer(8)
			for _, w := range tt.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := b.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTail_LongString_KeepsEnd(t *testing.T) {
	if got := tail(strings.Repeat("a", 10)+"end", 3); got != "...end" {
		t.Errorf("tail = %q", got)
	}
	if got := tail("short", 10); got != "short" {
		t.Errorf("tail = %q", got)
	}
}
