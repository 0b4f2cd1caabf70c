// Package webhooks delivers tenant webhooks with Temporal: one FanOut
// workflow per event, one Deliver child workflow per endpoint, and the
// activities that call endpoints and keep delivery state in KV for the
// dashboard.
package webhooks

import (
	"encoding/json"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the queue the webhook worker polls.
const TaskQueue = "webhooks"

const (
	// deliveryTimeout bounds one HTTP attempt against a customer endpoint.
	deliveryTimeout = 30 * time.Second
	// statusRetention is how long delivery state stays visible.
	statusRetention = 7 * 24 * time.Hour
)

var deliveryRetry = temporal.RetryPolicy{
	InitialInterval:        5 * time.Second,
	BackoffCoefficient:     2.0,
	MaximumInterval:        10 * time.Minute,
	MaximumAttempts:        8,
	NonRetryableErrorTypes: []string{"PermanentFailure"},
}

// Event is something that happened in a tenant's account.
type Event struct {
	ID      string          `json:"id"`
	Tenant  string          `json:"tenant"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
	At      time.Time       `json:"at"`
}

// Endpoint is a tenant's webhook subscription.
type Endpoint struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// Delivery is one event for one endpoint.
type Delivery struct {
	ID       string   `json:"id"`
	Event    Event    `json:"event"`
	Endpoint Endpoint `json:"endpoint"`
}

// FanOutWorkflow delivers ev to every endpoint of the tenant that
// subscribes to its type.
func FanOutWorkflow(ctx workflow.Context, ev Event) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	var a *Activities
	var endpoints []Endpoint
	if err := workflow.ExecuteActivity(ctx, a.Endpoints, ev.Tenant, ev.Type).Get(ctx, &endpoints); err != nil {
		return err
	}
	deliveries := make([]Delivery, 0, len(endpoints))
	for _, ep := range endpoints {
		deliveries = append(deliveries, Delivery{ID: ev.ID + "." + ep.ID, Event: ev, Endpoint: ep})
	}
	if err := workflow.ExecuteActivity(ctx, a.MarkQueued, ev.Tenant, deliveries).Get(ctx, nil); err != nil {
		return err
	}
	children := make([]workflow.ChildWorkflowFuture, 0, len(deliveries))
	for _, d := range deliveries {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: "deliver-" + d.ID})
		children = append(children, workflow.ExecuteChildWorkflow(cctx, DeliverWorkflow, d))
	}
	var errs []error
	for _, f := range children {
		if err := f.Get(ctx, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// DeliverWorkflow sends one delivery, retrying with deliveryRetry.
func DeliverWorkflow(ctx workflow.Context, d Delivery) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: deliveryTimeout,
		RetryPolicy:         &deliveryRetry,
	})
	var a *Activities
	var secret string
	if err := workflow.ExecuteActivity(ctx, a.SigningSecret, d.Endpoint.ID).Get(ctx, &secret); err != nil {
		return err
	}
	// The dashboard disables "Redeliver" while the cooldown key exists.
	cooldown := workflow.ExecuteActivity(ctx, a.StartCooldown, d.ID, deliveryRetry.InitialInterval*4) // EXPECT kvttl
	if err := cooldown.Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("cooldown not recorded", "delivery", d.ID, "error", err)
	}
	var status int
	err := workflow.ExecuteActivity(ctx, a.Deliver, d, secret).Get(ctx, &status)
	if err != nil {
		fctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
		_ = workflow.ExecuteActivity(fctx, a.RecordFailure, d, err.Error()).Get(fctx, nil)
		return err
	}
	return workflow.ExecuteActivity(ctx, a.RecordSuccess, d, status).Get(ctx, nil)
}
