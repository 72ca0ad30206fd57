package config

// minCursorKey is the shortest cursor_affinity_key accepted: a key an attacker could
// guess would let a tenant forge another tenant's cursor.
const minCursorKey = 32

// applyCursorKey implements CFG-28. The value is a secret and never echoed.
func applyCursorKey(c *Config, v string) error {
	if v != "" && len(v) < minCursorKey {
		return &Error{"cursor_affinity_key", "expected a secret of at least 32 characters"}
	}
	c.CursorAffinityKey = v
	return nil
}
