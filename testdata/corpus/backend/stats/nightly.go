// Package stats holds the nightly and per-batch metering jobs.
package stats

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Job has what the jobs need.
type Job struct {
	DB        *sql.DB
	Client    *cloudflare.Client
	AccountID string
	NSID      string
}

func (j *Job) put(ctx context.Context, key, value string) error {
	_, err := j.Client.KV.Namespaces.Values.Update(ctx, j.NSID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(j.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

func (j *Job) get(ctx context.Context, key string) (string, error) {
	res, err := j.Client.KV.Namespaces.Values.Get(ctx, j.NSID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.AccountID)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// PublishDailySignups runs once a night: the database is the source of truth,
// KV only serves the number to the marketing page.
func (j *Job) PublishDailySignups(ctx context.Context, date string) error {
	var web, mobile int
	if err := j.DB.QueryRowContext(ctx, `SELECT
		COUNT(*) FILTER (WHERE source = 'web'),
		COUNT(*) FILTER (WHERE source = 'mobile')
		FROM signups WHERE day = $1`, date).Scan(&web, &mobile); err != nil {
		return err
	}
	total := web + mobile
	return j.put(ctx, "stats:signups-count:"+date, strconv.Itoa(total))
}

// MeterBatch adds the bytes processed in one batch to the account's usage.
// Batches for one account run on several workers at once.
func (j *Job) MeterBatch(ctx context.Context, account string, month string, batchBytes int64) error {
	key := fmt.Sprintf("usage:%s:%s", account, month)
	cur, err := j.get(ctx, key)
	if err != nil {
		return err
	}
	prev, _ := strconv.ParseInt(cur, 10, 64)
	return j.put(ctx, key, strconv.FormatInt(prev+batchBytes, 10)) // EXPECT kvcounter
}

// Checkpoint advances the import cursor after a page was imported. Only the
// nightly import (one instance, guarded by the scheduler) calls it.
func (j *Job) Checkpoint(ctx context.Context) error {
	cur, err := j.get(ctx, "import:next-page")
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(cur)
	return j.put(ctx, "import:next-page", strconv.Itoa(page+1)) // DEBATABLE kvcounter
}
