package kvcounter

import (
	"encoding/json"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// A job runner's row, which its generic job embeds by pointer.
type jobRow struct {
	ID      int64
	Attempt int
}

type job[T any] struct {
	*jobRow
	Args T
}

type refundArgs struct{ Order string }

// The attempt number the runner keeps, written under a key that names
// it: each run writes its own idea of the count.
func noteRefundAttempt(ns *kv.Namespace, j *job[refundArgs]) error {
	return ns.PutString("refund_attempts:"+j.Args.Order, strconv.Itoa(j.Attempt), nil) // want `counter kept in KV: the key names a count and the value is a tally kept before the write`
}

// Quiet: the job's id is no tally.
func noteRefundJob(ns *kv.Namespace, j *job[refundArgs]) error {
	return ns.PutString("refund_attempts:"+j.Args.Order+":job", strconv.FormatInt(j.ID, 10), nil)
}

type usageRollup struct {
	ns     *kv.Namespace
	totals map[string]int
}

// Each tenant's total kept in memory and written: a count per instance.
func (u *usageRollup) add(tenant string, points int) error {
	u.totals[tenant] += points
	return u.ns.PutString("quota:used:"+tenant, strconv.Itoa(u.totals[tenant]), nil) // want `counter kept in KV: the key names a count and the value is computed by arithmetic`
}

// Quiet: how many tenants the rollup saw, in a status record; what is
// added to each tenant's total is not in it.
func (u *usageRollup) status(day string) error {
	raw, err := json.Marshal(map[string]any{"day": day, "tenants": len(u.totals)})
	if err != nil {
		return err
	}
	return u.ns.PutString("rollup:usage:last", string(raw), nil)
}
