package kvhotkey

import (
	"errors"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// Closures made in a loop and kept in a job list, then run one after the
// other: each writes the one key its loop does not vary.
func digest(ns *kv.Namespace, venues []string) error { // want digest:"kvhotkey"
	var jobs []func() error
	for _, v := range venues {
		jobs = append(jobs, func() error {
			return ns.PutString("digest:today", v, nil) // want `this loop writes the same KV key on every iteration`
		})
	}
	for i := range 7 {
		jobs = append(jobs, func() error {
			return ns.PutString("week:"+strconv.Itoa(i), "ready", nil) // one key per day
		})
	}
	var errs []error
	for _, job := range jobs {
		errs = append(errs, job())
	}
	return errors.Join(errs...)
}

// Quiet: one closure kept, made once.
func oneJob(ns *kv.Namespace, venues []string) error {
	jobs := []func() error{func() error { return ns.PutString("digest:today", strconv.Itoa(len(venues)), nil) }}
	return jobs[0]()
}
