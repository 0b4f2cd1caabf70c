package kvnull

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// A threshold parsed with its error dropped: a missing key, "<null>",
// reads as 0 and rejects every review.
func threshold(ns *kv.Namespace) float64 {
	raw, _ := ns.GetString("moderation:auto-hide-threshold", nil) // want `a missing key reaches this value's parse, whose error is dropped`
	th, _ := strconv.ParseFloat(raw, 64)
	return th
}

// A size limit in megabytes, shifted into bytes: a miss reads as 0 and
// refuses every upload.
func uploadLimit(ns *kv.Namespace) int64 {
	v, _ := ns.GetString("cfg:max-upload-mb", nil) // want `a missing key reaches this value's parse, whose error is dropped`
	mb, _ := strconv.Atoi(v)
	return int64(mb) << 20
}

// A shift by the number read: a miss reads as 0 bits, one bucket.
func shifted(ns *kv.Namespace) int64 {
	v, _ := ns.GetString("cfg:bucket-bits", nil) // want `a missing key reaches this value's parse, whose error is dropped`
	bits, _ := strconv.Atoi(v)
	return 1 << bits
}

// A count read with GetString is parsed from "<null>" when missing, and
// reads as zero only by luck (SPEC: used with no miss check), shown or
// written back as n+1 (whose race is kvcounter's, at the write).
func views(ns *kv.Namespace, page string) int {
	raw, _ := ns.GetString("views:"+page, nil) // want `a missing key reaches this value's parse, whose error is dropped`
	n, _ := strconv.Atoi(raw)
	return n
}

func bumpStreak(ns *kv.Namespace, user string) error {
	raw, _ := ns.GetString("streak:"+user, nil) // want `a missing key reaches this value's parse, whose error is dropped`
	n, _ := strconv.Atoi(raw)
	return ns.PutString("streak:"+user, strconv.Itoa(n+1), nil)
}

// A tally shown as zero when missing (the key is counted below) is the
// same; a best score compared with a new one and replaced by the
// request's own (submitScore) is kvrace's to judge.
func reports(ns *kv.Namespace, slug string) map[string]int {
	raw, _ := ns.GetString("reports:"+slug, nil) // want `a missing key reaches this value's parse, whose error is dropped`
	n, _ := strconv.Atoi(raw)
	return map[string]int{"reports": n}
}

func report(ns *kv.Namespace, r *http.Request) error {
	key := "reports:" + r.PathValue("slug")
	raw, _ := ns.GetString(key, nil) // want `a missing key reaches this value's parse, whose error is dropped`
	n, _ := strconv.Atoi(raw)
	return ns.PutString(key, strconv.Itoa(n+1), nil)
}

// A plan's daily limit served as 0 when the key is missing: the client
// is told it may send nothing.
func dailyLimit(ns *kv.Namespace, w http.ResponseWriter, workspace string) error {
	v, err := ns.GetString("plan-cap:"+workspace, nil) // want `a missing key reaches this value's parse, whose error is dropped`
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(v)
	return json.NewEncoder(w).Encode(map[string]int{"daily_cap": limit})
}

// Only the check for "" is reported: a miss is never "".
func frontier(ns *kv.Namespace, w http.ResponseWriter, event string) error {
	v, err := ns.GetString("frontier:"+event, nil)
	if err != nil {
		return err
	}
	if v == "" { // want `miss check is never true`
		return json.NewEncoder(w).Encode(map[string]bool{"open": false})
	}
	n, _ := strconv.Atoi(v)
	return json.NewEncoder(w).Encode(map[string]int{"frontier": n})
}

func submitScore(ns *kv.Namespace, game string, score int) error {
	best, _ := ns.GetString("best:"+game, nil)
	cur, _ := strconv.Atoi(best)
	if score > cur {
		return ns.PutString("best:"+game, strconv.Itoa(score), nil)
	}
	return nil
}
