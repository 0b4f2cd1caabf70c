// Package backoffice holds the back office's KV work: deposit reconciliation,
// restaurant publishing and the nightly batch jobs.
package backoffice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/tablekeep/bluethroat/internal/cfkv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// Errors returned by Reconciler.
var (
	ErrNoDeposit   = errors.New("backoffice: no deposit for booking")
	ErrConflict    = errors.New("backoffice: deposit changed since it was read")
	ErrOverCapture = errors.New("backoffice: capture exceeds the authorised amount")
)

// Reconciler applies payment operations made by staff in the back office to the
// deposit records the worker reads.
type Reconciler struct {
	Store *cfkv.Store
	Now   func() time.Time
}

// CaptureRequest captures part or all of an authorised deposit.
type CaptureRequest struct {
	BookingID   string
	AmountCents int64
	ExpectRev   int
}

// CaptureResponse reports the deposit after the capture.
type CaptureResponse struct {
	Rev           int
	CapturedCents int64
}

// Capture applies a capture if the deposit is still at the revision the operator saw.
func (r *Reconciler) Capture(ctx context.Context, req *CaptureRequest) (*CaptureResponse, error) {
	key := model.PrefixDeposit + req.BookingID
	raw, err := r.Store.Get(ctx, key)
	if errors.Is(err, cfkv.ErrNotFound) {
		return nil, ErrNoDeposit
	}
	if err != nil {
		return nil, err
	}
	var d model.Deposit
	if err := d.UnmarshalBinary(raw); err != nil {
		return nil, err
	}
	if d.Rev != req.ExpectRev {
		return nil, ErrConflict
	}
	if d.CapturedCents+req.AmountCents > d.AmountCents {
		return nil, ErrOverCapture
	}
	d.CapturedCents += req.AmountCents
	d.Status = "captured"
	d.Rev++
	d.UpdatedAt = r.Now()
	b, err := d.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := r.Store.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &CaptureResponse{Rev: d.Rev, CapturedCents: d.CapturedCents}, nil
}

// RefundRequest refunds part of a deposit.
type RefundRequest struct {
	BookingID   string
	AmountCents int64
	Reason      string
}

// RefundResponse reports the deposit after the refund.
type RefundResponse struct {
	Rev           int
	RefundedCents int64
}

// Refund records a refund. Refunds can be issued before the payment webhook has
// written the deposit, so a missing record starts a new one.
func (r *Reconciler) Refund(ctx context.Context, req *RefundRequest) (*RefundResponse, error) {
	key := model.PrefixDeposit + req.BookingID
	params := kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.Store.AccountID)}
	var d model.Deposit
	res, err := r.Store.Client.KV.Namespaces.Values.Get(ctx, r.Store.Namespace, key, params) // EXPECT kvnull
	if err != nil {
		d = model.Deposit{BookingID: req.BookingID, Status: "refund_pending"}
	} else {
		raw, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		if err := d.UnmarshalBinary(raw); err != nil {
			return nil, err
		}
	}
	d.RefundedCents += req.AmountCents
	d.Rev++
	d.UpdatedAt = r.Now()
	b, err := d.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := r.Store.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &RefundResponse{Rev: d.Rev, RefundedCents: d.RefundedCents}, nil
}

// Policy is a restaurant's deposit rule.
type Policy struct {
	PerCoverCents  int64 `json:"per_cover_cents"`
	FromPartySize  int   `json:"from_party_size"`
	RefundableHrs  int   `json:"refundable_hours"`
	NoShowsToForce int   `json:"no_shows_to_force"`
}

var defaultPolicy = Policy{PerCoverCents: 2000, FromPartySize: 6, RefundableHrs: 24, NoShowsToForce: 2}

// DepositPolicy returns the restaurant's policy, or the group default.
func (r *Reconciler) DepositPolicy(ctx context.Context, restaurant string) (Policy, error) {
	params := kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.Store.AccountID)}
	res, err := r.Store.Client.KV.Namespaces.Values.Get(ctx, r.Store.Namespace, "policy:"+restaurant, params)
	if err != nil {
		return Policy{}, fmt.Errorf("backoffice: policy %s: %w", restaurant, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return Policy{}, err
	}
	p := defaultPolicy
	if len(body) > 0 { // EXPECT kvnull
		if err := json.Unmarshal(body, &p); err != nil {
			return Policy{}, err
		}
	}
	return p, nil
}
