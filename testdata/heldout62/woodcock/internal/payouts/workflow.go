package payouts

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

const TaskQueue = "payouts"

// CreditWorkflow runs once per delivered order.
func CreditWorkflow(ctx workflow.Context, c Credit) error {
	var a *Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10},
	})
	return workflow.ExecuteActivity(ctx, a.CreditCourier, c).Get(ctx, nil)
}

// NightlyWorkflow pays out every positive balance.
func NightlyWorkflow(ctx workflow.Context) error {
	var a *Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 20 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumAttempts: 5},
	})
	var balances map[string]int64
	if err := workflow.ExecuteActivity(ctx, a.Balances).Get(ctx, &balances); err != nil {
		return err
	}
	batch := Batch{ID: workflow.Now(ctx).Format("20060102")}
	var paid []string
	for courierID, cents := range balances {
		if cents <= 0 {
			continue
		}
		batch.Payouts = append(batch.Payouts, Payout{ID: fmt.Sprintf("%s-%s", batch.ID, courierID), CourierID: courierID, AmountCents: cents})
		paid = append(paid, courierID)
	}
	if err := workflow.ExecuteActivity(ctx, a.SettleBatch, batch).Get(ctx, nil); err != nil {
		return err
	}
	return workflow.ExecuteActivity(ctx, a.ResetBalances, paid).Get(ctx, nil)
}
