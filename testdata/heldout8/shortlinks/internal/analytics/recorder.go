package analytics

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const jsNull = "<null>"

// Recorder keeps the all-time click total per link for the dashboard.
type Recorder struct {
	ns *kv.Namespace
}

func NewRecorder(ns *kv.Namespace) *Recorder { return &Recorder{ns: ns} }

func totalKey(slug string) string { return "clicks:total:" + slug }

// CountClick adds one click to the link's total.
func (r *Recorder) CountClick(slug string) error {
	key := totalKey(slug)
	v, err := r.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != jsNull {
		if n, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("analytics: %s holds %q", key, v)
		}
	}
	return r.ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// Total is shown on the owner's dashboard; owners refresh it while watching a
// campaign launch, so keep the edge copy short.
func (r *Recorder) Total(slug string) (int, error) {
	v, err := r.ns.GetString(totalKey(slug), &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return 0, err
	}
	if v == jsNull {
		return 0, nil
	}
	return strconv.Atoi(v)
}

// Quota enforces the per-day API call allowance of an API key.
type Quota struct {
	load   func(key string, opts *kv.GetOptions) (string, error)
	save   func(key, value string, opts *kv.PutOptions) error
	perDay int
}

func NewQuota(ns *kv.Namespace, perDay int) *Quota {
	return &Quota{load: ns.GetString, save: ns.PutString, perDay: perDay}
}

// Consume uses one call of today's allowance and reports whether it was
// available.
func (q *Quota) Consume(keyID string, now time.Time) (bool, error) {
	k := strings.Join([]string{"quota", keyID, now.UTC().Format("20060102")}, ":")
	v, err := q.load(k, nil)
	if err != nil {
		return false, err
	}
	used := 0
	if v != jsNull {
		if used, err = strconv.Atoi(v); err != nil {
			return false, err
		}
	}
	if used >= q.perDay {
		return false, nil
	}
	return true, q.save(k, strconv.Itoa(used+1), &kv.PutOptions{ExpirationTTL: 2 * 86400}) // EXPECT kvcounter
}
