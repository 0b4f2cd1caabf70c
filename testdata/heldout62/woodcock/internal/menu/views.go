package menu

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ViewSignal is sent by the API for every menu view.
const ViewSignal = "menu-view"

// ViewsWorkflow sums menu views per restaurant and publishes the running
// totals every publishEvery; it continues as new once a day.
func ViewsWorkflow(ctx workflow.Context, totals map[string]int64) error {
	const publishEvery = 5 * time.Minute
	var a *ViewActivities
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	if totals == nil {
		totals = map[string]int64{}
	}
	views := workflow.GetSignalChannel(ctx, ViewSignal)
	started := workflow.Now(ctx)
	for workflow.Now(ctx).Sub(started) < 24*time.Hour {
		timer := workflow.NewTimer(ctx, publishEvery)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(views, func(c workflow.ReceiveChannel, _ bool) {
			var rid string
			c.Receive(ctx, &rid)
			totals[rid]++
		})
		sel.AddFuture(timer, func(workflow.Future) {
			if err := workflow.ExecuteActivity(actx, a.PublishViews, totals).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Warn("views not published", "err", err)
			}
		})
		sel.Select(ctx)
	}
	return workflow.NewContinueAsNewError(ctx, ViewsWorkflow, totals)
}
