package checkout

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is where the checkout worker polls.
const TaskQueue = "checkout"

type Input struct {
	SessionID  string
	OrderID    string
	Items      []LineItem
	TotalCents int
}

// Workflow is registered as "Checkout".
func Workflow(ctx workflow.Context, in Input) (Receipt, error) {
	var a *Activities

	holdOpts := workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumAttempts:    3,
		},
	}
	hold := HoldInput{
		OrderID: in.OrderID,
		Items:   in.Items,
		HoldFor: holdOpts.StartToCloseTimeout * time.Duration(holdOpts.RetryPolicy.MaximumAttempts), // EXPECT kvttl
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, holdOpts), a.HoldInventory, hold).Get(ctx, nil); err != nil {
		return Receipt{}, err
	}

	pctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	if err := workflow.ExecuteActivity(pctx, a.MarkProcessing, in.OrderID).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("processing marker failed", "err", err)
	}
	var paymentID string
	if err := workflow.ExecuteActivity(pctx, a.Authorize, AuthorizeInput{OrderID: in.OrderID, TotalCents: in.TotalCents}).Get(ctx, &paymentID); err != nil {
		return Receipt{}, err
	}
	if err := workflow.ExecuteActivity(pctx, a.ConfirmSession, in.SessionID, paymentID).Get(ctx, nil); err != nil {
		return Receipt{}, err
	}
	receipt := Receipt{OrderID: in.OrderID, PaymentID: paymentID, TotalCents: in.TotalCents, PaidAt: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(pctx, a.WriteReceipt, receipt).Get(ctx, nil); err != nil {
		return Receipt{}, err
	}
	return receipt, nil
}
