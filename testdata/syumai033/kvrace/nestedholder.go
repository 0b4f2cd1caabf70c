package kvrace

import (
	"encoding/json"
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

type reviewLock struct {
	Pharmacist string
}

type createReviewLockParams struct {
	Rx   string
	Lock reviewLock
}

var errNoReviewLock = errors.New("no review lock")

func getReviewLock(ns *kv.Namespace, rx string) (reviewLock, error) {
	var l reviewLock
	s, err := ns.GetString("review_lock:"+rx, nil)
	if err != nil {
		return l, err
	}
	if s == "<null>" {
		return l, errNoReviewLock
	}
	err = json.Unmarshal([]byte(s), &l)
	return l, err
}

func createReviewLock(ns *kv.Namespace, p createReviewLockParams) error {
	b, err := json.Marshal(p.Lock)
	if err != nil {
		return err
	}
	return ns.PutString("review_lock:"+p.Rx, string(b), nil)
}

// A lock that lets its own holder through, whose holder is a field of a
// literal given to a field of the wrapper's parameters.
func claimReview(ns *kv.Namespace, rx, me string) error {
	lock, err := getReviewLock(ns, rx)
	switch {
	case err == nil:
		if lock.Pharmacist == me {
			return nil
		}
		return errors.New("claimed by another pharmacist")
	case !errors.Is(err, errNoReviewLock):
		return err
	}
	return createReviewLock(ns, createReviewLockParams{Rx: rx, Lock: reviewLock{Pharmacist: me}}) // want `check-then-create on one KV key`
}
