package refill

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/legacykv"
)

const (
	claimTTL        = 6 * time.Hour
	statusTTL       = 14 * 24 * time.Hour
	pickupCodeTTL   = 72 * time.Hour
	auditTTL        = 400 * 24 * time.Hour
	legacyRetention = 90 * 24 * time.Hour
)

// Pharmacy submits fills to a pharmacy network.
type Pharmacy interface {
	Submit(ctx context.Context, pharmacyID, rxNumber string, quantity int) (string, error)
	Status(ctx context.Context, rxNumber string) (string, error)
}

// Activities holds the refill activities. The worker registers a single
// instance with worker.RegisterActivity.
type Activities struct {
	KV       *kvstore.Namespace
	Legacy   *legacykv.Store
	Pharmacy Pharmacy
}

// StatusView is what the portal and the refill API show for a refill.
type StatusView struct {
	RxNumber  string    `json:"rx_number"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

func statusKey(req Request) string {
	return fmt.Sprintf("refill-status:%s:%s", req.PatientID, req.RxNumber)
}

// ClaimRefill makes sure only one refill per prescription is in flight.
func (a *Activities) ClaimRefill(ctx context.Context, req Request) error {
	info := activity.GetInfo(ctx)
	key := "refill-claim:" + req.RxNumber
	if owner, err := a.KV.Get(ctx, key); err == nil {
		if string(owner) == info.WorkflowExecution.ID {
			return nil
		}
		return temporal.NewNonRetryableApplicationError("refill already in progress", "DuplicateRefill", nil)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return a.KV.Put(ctx, key, []byte(info.WorkflowExecution.ID), claimTTL) // EXPECT kvrace
}

// InitStatus shows the refill as received unless a status is already there.
func (a *Activities) InitStatus(ctx context.Context, req Request) error {
	key := statusKey(req)
	if _, err := a.KV.Get(ctx, key); err != nil { // EXPECT kvnull
		return a.KV.PutJSON(ctx, key, StatusView{RxNumber: req.RxNumber, Status: "received", UpdatedAt: time.Now().UTC()}, statusTTL) // DEBATABLE kvrace
	}
	return nil
}

// VerifyEligibility checks the prescription record for refills left.
func (a *Activities) VerifyEligibility(ctx context.Context, req Request) (Verification, error) {
	progress := map[string]string{"rx": req.RxNumber, "step": "verifying"}
	if b, err := json.Marshal(progress); err == nil {
		_ = a.KV.Put(ctx, "refill-progress:"+req.RxNumber, b,
			verifyTimeout) // EXPECT kvttl
	}
	rec, err := a.Legacy.Rx(ctx, req.RxNumber)
	switch {
	case errors.Is(err, legacykv.ErrNoRecord):
		return Verification{Reason: "unknown prescription"}, nil
	case err != nil:
		return Verification{}, err
	case rec.PatientID != req.PatientID:
		return Verification{Reason: "prescription belongs to another patient"}, nil
	case rec.RefillsLeft <= 0:
		return Verification{Reason: "no refills left; book a visit"}, nil
	}
	return Verification{Eligible: true}, nil
}

// SubmitToPharmacy sends the fill and heartbeats while the network answers.
func (a *Activities) SubmitToPharmacy(ctx context.Context, req Request) (string, error) {
	info := activity.GetInfo(ctx)

	inflight := fmt.Sprintf("pharmacy-inflight:%s:%s", req.PharmacyID, req.RxNumber)
	ttl := max(2*info.HeartbeatTimeout, 20*time.Second) // EXPECT kvttl
	if err := a.KV.Put(ctx, inflight, []byte(info.WorkflowExecution.ID), ttl); err != nil {
		return "", err
	}
	submission := "submission:" + req.RxNumber
	attempt := map[string]any{"attempt": info.Attempt, "started": info.StartedTime}
	if err := a.KV.PutJSON(ctx, submission, attempt, max(2*info.StartToCloseTimeout, time.Minute)); err != nil {
		return "", err
	}
	if err := a.KV.Put(ctx, "refill-lock:"+req.RxNumber, []byte(info.ActivityID),
		time.Until(info.Deadline)); err != nil { // EXPECT kvttl
		return "", err
	}

	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(info.HeartbeatTimeout / 2)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, "waiting on pharmacy")
			}
		}
	}()
	ref, err := a.Pharmacy.Submit(ctx, req.PharmacyID, req.RxNumber, req.Quantity)
	if err != nil {
		return "", err
	}
	_ = a.KV.Delete(ctx, inflight)
	return ref, nil
}

// IssuePickupCode mints the six-digit code the patient shows at the counter.
func (a *Activities) IssuePickupCode(ctx context.Context, req Request, pharmacyRef string) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	rec := map[string]string{"code": code, "pharmacy_ref": pharmacyRef, "patient_id": req.PatientID}
	return a.KV.PutJSON(ctx, "pickup-otp:"+req.RxNumber, rec, pickupCodeTTL) // DEBATABLE kvsession
}

// PublishStatus writes the portal-facing status of a refill.
func (a *Activities) PublishStatus(ctx context.Context, req Request, status string) error {
	view := StatusView{RxNumber: req.RxNumber, Status: status, UpdatedAt: time.Now().UTC()}
	return a.KV.PutJSON(ctx, statusKey(req), view, statusTTL)
}

// AppendAudit adds a line to the refill's audit trail.
func (a *Activities) AppendAudit(ctx context.Context, rxNumber, line string) error {
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line
	return a.KV.AppendLine(ctx, "refill-audit:"+rxNumber, entry, auditTTL)
}

// SyncLegacy mirrors the refill into the rx-legacy namespace.
func (a *Activities) SyncLegacy(ctx context.Context, req Request, status string) error {
	rec := legacykv.RxRecord{RxNumber: req.RxNumber, PatientID: req.PatientID, Status: status,
		LastFilledAt: time.Now().UTC().Format(time.DateOnly)}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return a.Legacy.Write(ctx, legacykv.Item{
		Key:       "rx:" + req.RxNumber,
		Value:     string(b),
		ExpiresAt: time.Now().Add(legacyRetention).UnixMilli(), // EXPECT kvttl
		Meta:      map[string]any{"source": "refill-workflow"},
	})
}

// ReconcileBatch compares each refill's status with the pharmacy network.
func (a *Activities) ReconcileBatch(ctx context.Context, rxNumbers []string) error {
	start := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &start)
	}
	for i := start; i < len(rxNumbers); i++ {
		rx := rxNumbers[i]
		status, err := a.Pharmacy.Status(ctx, rx)
		if err != nil {
			return err
		}
		view := StatusView{RxNumber: rx, Status: status, UpdatedAt: time.Now().UTC()}
		if err := a.KV.PutJSON(ctx, "refill-pharmacy-status:"+rx, view, statusTTL); err != nil {
			return err
		}
		if err := a.KV.Put(ctx, "refill-reconcile:cursor", []byte(rx), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		activity.RecordHeartbeat(ctx, i+1)
	}
	return nil
}
