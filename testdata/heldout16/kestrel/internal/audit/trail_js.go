//go:build js && wasm

package audit

import (
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/kestrel/internal/keys"
)

// trailTTL is 30 days, in seconds.
const trailTTL = 30 * 24 * 3600

// Trail keeps the last few lines of activity per resource for the
// "recent activity" panel.
type Trail struct {
	ns  *kv.Namespace
	max int
}

// NewTrail returns a Trail keeping up to max lines per resource.
func NewTrail(ns *kv.Namespace, max int) *Trail { return &Trail{ns: ns, max: max} }

func trailKey(org, target string) string { return "trail/" + keys.Digest(org, target) }

func lastLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}

// Append adds e to its target's trail.
func (t *Trail) Append(e Entry) error {
	key := trailKey(e.Org, e.Target)
	prev, err := t.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if prev == "<null>" {
		prev = ""
	}
	line := fmt.Sprintf("%s %s %s\n", e.At.UTC().Format(time.RFC3339), e.Actor, e.Action)
	return t.ns.PutString(key, lastLines(prev+line, t.max), &kv.PutOptions{ExpirationTTL: trailTTL}) // EXPECT kvrace
}
