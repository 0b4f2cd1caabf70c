//go:build js && wasm

package notices

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/wicket/internal/domain/catalog"
)

// Runner is the scheduled job.
type Runner struct {
	loans  *cloudflare.KVNamespace
	state  *cloudflare.KVNamespace
	sender Sender
	now    func() time.Time
}

func NewRunner(loans, state *cloudflare.KVNamespace, s Sender) *Runner {
	return &Runner{loans: loans, state: state, sender: s, now: time.Now}
}

// logSent keeps one entry per notice sent, for the morning digest. The mail
// relay deduplicates on Notice.ID, so a notice resent by a retried run is
// dropped there.
func (r *Runner) logSent(n Notice, at time.Time) error {
	return r.state.PutString("noticed:"+at.UTC().Format("2006-01-02")+":"+n.ID(), at.UTC().Format(time.RFC3339),
		&cloudflare.KVNamespacePutOptions{ExpirationTTL: 60 * 24 * 60 * 60})
}

// SweepLoans walks every loan record and sends the notices that are due.
func (r *Runner) SweepLoans(ctx context.Context) (sent int, err error) {
	now := r.now()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "loan:", Limit: 1000}
	for {
		res, err := r.loans.List(opts) // EXPECT kvlist
		if err != nil {
			return sent, err
		}
		for _, k := range res.Keys {
			raw, err := r.loans.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var loan catalog.Loan
			if json.Unmarshal([]byte(raw), &loan) != nil {
				continue
			}
			n := Notice{Copy: loan.Copy, Patron: string(loan.Patron), DaysLate: loan.DaysLate(now), DueAt: loan.DueAt}
			if Tier(n.DaysLate) == "" || r.sender.Send(ctx, n) != nil {
				continue
			}
			if err := r.logSent(n, now); err != nil {
				return sent, err
			}
			sent++
		}
		if err := r.state.PutString("overdue-sweep:cursor", res.Cursor, nil); err != nil { // EXPECT kvhotkey
			return sent, err
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return sent, r.recordSent(now, sent)
}

// recordSent adds the night's notices to the month's total for the board
// report.
func (r *Runner) recordSent(now time.Time, sent int) error {
	key := "notices-sent:" + now.UTC().Format("2006-01")
	raw, err := r.state.GetString(key, nil)
	if err != nil {
		return err
	}
	total := 0
	if raw != "<null>" {
		total, _ = strconv.Atoi(raw)
	}
	return r.state.PutString(key, strconv.Itoa(total+sent), nil) // EXPECT kvcounter
}

// SweepDue sends notices from the due-date index, whose keys carry the due
// date, copy and patron. A run handles at most maxPages pages; the cursor is
// saved for the next run.
func (r *Runner) SweepDue(ctx context.Context, maxPages int) (sent int, err error) {
	now := r.now()
	cursor, err := r.state.GetString("due-sweep:cursor", nil)
	if err != nil {
		return 0, err
	}
	if cursor == "<null>" {
		cursor = ""
	}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "due:", Limit: 500, Cursor: cursor}
	var pages int
	for pages = 0; pages < maxPages; pages++ {
		res, err := r.loans.List(opts)
		if err != nil {
			return sent, err
		}
	keys:
		for _, k := range res.Keys {
			due, c, p, ok := parseDueKey(k.Name)
			if !ok {
				continue
			}
			if due.After(now) {
				// Keys are sorted by due date: nothing later is overdue.
				res.ListComplete = true
				break keys
			}
			n := Notice{Copy: c, Patron: p, DaysLate: int(now.Sub(due).Hours() / 24), DueAt: due}
			if Tier(n.DaysLate) == "" || r.sender.Send(ctx, n) != nil {
				continue
			}
			if err := r.logSent(n, now); err != nil {
				return sent, err
			}
			sent++
		}
		if res.ListComplete {
			opts.Cursor = ""
			break
		}
		opts.Cursor = res.Cursor
	}
	return sent, r.state.PutString("due-sweep:cursor", opts.Cursor, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 24 * 60 * 60})
}

// Digest is the morning summary for branch managers.
type Digest struct {
	Day     string `json:"day"`
	Noticed int    `json:"noticed"`
	LastRun string `json:"lastRun"`
}

// WriteDigest stores the summary for the day; called once per cron run.
func (r *Runner) WriteDigest(now time.Time) (Digest, error) {
	day := now.UTC().Format("2006-01-02")
	res, err := r.state.List(&cloudflare.KVNamespaceListOptions{Prefix: "noticed:" + day + ":", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return Digest{}, err
	}
	d := Digest{Day: day, Noticed: len(res.Keys), LastRun: now.UTC().Format(time.RFC3339)}
	b, err := json.Marshal(d)
	if err != nil {
		return d, err
	}
	if err := r.state.PutString("digest:"+day, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 30 * 24 * 60 * 60}); err != nil {
		return d, err
	}
	return d, r.state.PutString("overdue-run:last", d.LastRun, nil)
}
