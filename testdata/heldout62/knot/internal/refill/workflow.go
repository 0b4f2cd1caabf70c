// Package refill runs prescription refill requests as Temporal workflows:
// claim the request, verify eligibility, submit to the
// patient's pharmacy, issue a pickup code and keep the portal's status view
// and the legacy rx namespace up to date.
package refill

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the Temporal task queue the refill worker polls.
const TaskQueue = "rx-refills"

const (
	// verifyTimeout bounds the short bookkeeping and eligibility activities.
	verifyTimeout = 45 * time.Second
	// submitTimeout bounds one pharmacy submission attempt.
	submitTimeout = 3 * time.Minute
	// submitHeartbeat is how often SubmitToPharmacy must heartbeat.
	submitHeartbeat = 20 * time.Second
)

// Request starts a refill.
type Request struct {
	RxNumber   string `json:"rx_number"`
	PatientID  string `json:"patient_id"`
	PharmacyID string `json:"pharmacy_id"`
	Quantity   int    `json:"quantity"`
}

// Result is what the workflow returns.
type Result struct {
	Status      string `json:"status"`
	PharmacyRef string `json:"pharmacy_ref,omitempty"`
}

// Verification says whether a refill may go ahead.
type Verification struct {
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason,omitempty"`
}

// RefillWorkflow drives one refill request.
func RefillWorkflow(ctx workflow.Context, req Request) (Result, error) {
	var a *Activities
	shortCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: verifyTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumAttempts:    4,
		},
	})
	submitCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: submitTimeout,
		HeartbeatTimeout:    submitHeartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        10 * time.Second,
			MaximumInterval:        2 * time.Minute,
			MaximumAttempts:        6,
			NonRetryableErrorTypes: []string{"PharmacyRejected"},
		},
	})

	if err := workflow.ExecuteActivity(shortCtx, a.ClaimRefill, req).Get(ctx, nil); err != nil {
		return Result{Status: "duplicate"}, err
	}
	if err := workflow.ExecuteActivity(shortCtx, a.InitStatus, req).Get(ctx, nil); err != nil {
		return Result{}, err
	}

	var v Verification
	if err := workflow.ExecuteActivity(shortCtx, a.VerifyEligibility, req).Get(ctx, &v); err != nil {
		return Result{}, err
	}
	if !v.Eligible {
		_ = workflow.ExecuteActivity(shortCtx, a.PublishStatus, req, "denied: "+v.Reason).Get(ctx, nil)
		return Result{Status: "denied"}, nil
	}

	var ref string
	if err := workflow.ExecuteActivity(submitCtx, a.SubmitToPharmacy, req).Get(ctx, &ref); err != nil {
		_ = workflow.ExecuteActivity(shortCtx, a.PublishStatus, req, "failed").Get(ctx, nil)
		return Result{Status: "failed"}, err
	}
	if err := workflow.ExecuteActivity(shortCtx, a.IssuePickupCode, req, ref).Get(ctx, nil); err != nil {
		return Result{}, err
	}
	if err := workflow.ExecuteActivity(shortCtx, a.PublishStatus, req, "ready").Get(ctx, nil); err != nil {
		return Result{}, err
	}
	_ = workflow.ExecuteActivity(shortCtx, a.AppendAudit, req.RxNumber, "submitted "+ref).Get(ctx, nil)
	_ = workflow.ExecuteActivity(shortCtx, a.SyncLegacy, req, "ready").Get(ctx, nil)
	return Result{Status: "ready", PharmacyRef: ref}, nil
}

// ReconcileWorkflow re-checks a night's worth of refills against pharmacy
// records. It is started by a Temporal schedule.
func ReconcileWorkflow(ctx workflow.Context, rxNumbers []string) error {
	var a *Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	return workflow.ExecuteActivity(ctx, a.ReconcileBatch, rxNumbers).Get(ctx, nil)
}
