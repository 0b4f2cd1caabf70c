package payouts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// Transfers sends money to an instructor's connected account.
type Transfers interface {
	Send(ctx context.Context, instructorID string, cents int64, reference string) (string, error)
}

// Runner executes payout runs.
type Runner struct {
	ledger    *Ledger
	transfers Transfers
	minCents  int64
}

// NewRunner returns a runner that skips balances under minCents.
func NewRunner(l *Ledger, t Transfers, minCents int64) *Runner {
	return &Runner{ledger: l, transfers: t, minCents: minCents}
}

// ErrRunning is returned when another run holds the lock.
var ErrRunning = errors.New("payouts: a run is already in progress")

const lockKey = "lock:payout-run"

func (r *Runner) lock(ctx context.Context, owner string) error {
	_, err := r.ledger.get(ctx, lockKey)
	if err == nil {
		return ErrRunning
	}
	if !errors.Is(err, errMissing) {
		return err
	}
	_, err = r.ledger.cf.KV.Namespaces.Values.Update(ctx, r.ledger.namespaceID, lockKey, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.ledger.accountID),
		Value:     cloudflare.F(owner),
		Metadata:  cloudflare.F(`{"owner":"` + owner + `"}`),
	})
	return err
}

// Statement is the record of one transfer.
type Statement struct {
	Run          int       `json:"run"`
	InstructorID string    `json:"instructor_id"`
	Cents        int64     `json:"cents"`
	TransferID   string    `json:"transfer_id"`
	At           time.Time `json:"at"`
}

// Run pays every instructor whose balance is over the minimum.
func (r *Runner) Run(ctx context.Context, owner string) (int, error) {
	if err := r.lock(ctx, owner); err != nil {
		return 0, err
	}
	defer r.ledger.del(context.WithoutCancel(ctx), lockKey)

	run, _ := strconv.Atoi(time.Now().UTC().Format("20060102"))
	page, err := r.ledger.cf.KV.Namespaces.Keys.List(ctx, r.ledger.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.ledger.accountID),
		Prefix:    cloudflare.F("balance:"),
	})
	if err != nil {
		return 0, err
	}
	var inflight []kv.NamespaceBulkUpdateParamsBody
	var statements []Statement
	for _, k := range page.Result {
		cents, _ := k.Metadata["cents"].(float64)
		if int64(cents) < r.minCents {
			continue
		}
		id := strings.TrimPrefix(k.Name, "balance:")
		inflight = append(inflight, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("payout:inflight:%d:%s", run, id)),
			Value:         cloudflare.F(strconv.FormatInt(int64(cents), 10)),
			ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
		})
		statements = append(statements, Statement{Run: run, InstructorID: id, Cents: int64(cents)})
	}
	if len(inflight) > 0 {
		if _, err := r.ledger.cf.KV.Namespaces.Bulk.Update(ctx, r.ledger.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(r.ledger.accountID),
			Body:      inflight,
		}); err != nil {
			return 0, err
		}
	}
	paid := 0
	for i := range statements {
		st := &statements[i]
		ref := fmt.Sprintf("kiln-run-%d-%s", run, st.InstructorID)
		tid, err := r.transfers.Send(ctx, st.InstructorID, st.Cents, ref)
		if err != nil {
			return paid, err
		}
		st.TransferID, st.At = tid, time.Now().UTC()
		raw, _ := json.Marshal(st)
		key := fmt.Sprintf("statement:%s:%06d", st.InstructorID, run)
		if err := r.ledger.putExpiring(ctx, key, raw, 7*365*24*time.Hour); err != nil {
			return paid, err
		}
		paid++
	}
	return paid, nil
}

// Pending reports whether any payout is still in flight.
func (r *Runner) Pending(ctx context.Context) (bool, error) {
	page, err := r.ledger.cf.KV.Namespaces.Keys.List(ctx, r.ledger.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.ledger.accountID),
		Prefix:    cloudflare.F("payout:inflight:"),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0 || page.ResultInfo.Cursor != "", nil
}
