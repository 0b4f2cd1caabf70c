package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// planDraft is what the user picked so far in the plan change modal.
type planDraft struct {
	TeamID     string `json:"team_id"`
	UserID     string `json:"user_id"`
	CustomerID string `json:"customer_id"`
	PriceID    string `json:"price_id"`
	Plan       string `json:"plan"`
	Changes    int    `json:"changes"`
}

const draftTTL = 30 * time.Minute

func draftKey(viewID string) string { return "slack:modal:" + viewID }

var planPrices = map[string]string{
	"starter": "price_starter_monthly",
	"growth":  "price_growth_monthly",
	"scale":   "price_scale_yearly",
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func (a *App) slashPlan(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	inst, err := a.installation(ctx, cmd.TeamID)
	if err != nil {
		return nil, err
	}
	opts := make([]*slack.OptionBlockObject, 0, len(planPrices))
	for _, name := range []string{"starter", "growth", "scale"} {
		opts = append(opts, slack.NewOptionBlockObject(name, plainText(strings.ToUpper(name[:1])+name[1:]), nil))
	}
	seatOpts := make([]*slack.OptionBlockObject, 0, 5)
	for _, n := range []int{5, 10, 25, 50, 100} {
		seatOpts = append(seatOpts, slack.NewOptionBlockObject(strconv.Itoa(n), plainText(strconv.Itoa(n)+" seats"), nil))
	}
	view := slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: "plan_change",
		Title:      plainText("Change plan"),
		Submit:     plainText("Continue to checkout"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewActionBlock("plan", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Plan"), "plan_select", opts...)),
			slack.NewActionBlock("seats", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Seats"), "seats_select", seatOpts...)),
		}},
	}
	api, err := a.clientFor(ctx, cmd.TeamID)
	if err != nil {
		return nil, err
	}
	resp, err := api.OpenViewContext(ctx, cmd.TriggerID, view)
	if err != nil {
		return nil, err
	}
	draft := planDraft{TeamID: cmd.TeamID, UserID: cmd.UserID, CustomerID: inst.CustomerID}
	if err := a.kv.PutJSON(ctx, draftKey(resp.View.ID), draft, draftTTL); err != nil {
		return nil, err
	}
	return nil, nil
}

func (a *App) actionPlanSelect(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) error {
	var d planDraft
	if err := a.kv.GetJSON(ctx, draftKey(cb.View.ID), &d); err != nil {
		return fmt.Errorf("draft %s: %w", cb.View.ID, err)
	}
	d.Plan = act.SelectedOption.Value
	d.PriceID = planPrices[d.Plan]
	d.Changes++
	return a.kv.PutJSON(ctx, draftKey(cb.View.ID), d, draftTTL) // EXPECT kvrace
}

// actionSeatsSelect keeps the seat choice under its own key so that the two
// selects of the modal never write the same entry.
func (a *App) actionSeatsSelect(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) error {
	n, err := strconv.Atoi(act.SelectedOption.Value)
	if err != nil {
		return err
	}
	return a.kv.Put(ctx, draftKey(cb.View.ID)+":seats", []byte(strconv.Itoa(n)), draftTTL)
}

func (a *App) submitPlanChange(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	var d planDraft
	if err := a.kv.GetJSON(ctx, draftKey(cb.View.ID), &d); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{"plan": "This form expired, run /hornbill-plan again."}), nil
		}
		return nil, err
	}
	if d.PriceID == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"plan": "Pick a plan."}), nil
	}
	url, err := a.billing.StartCheckout(ctx, d.CustomerID, d.PriceID, "https://app.hornbill.dev")
	if err != nil {
		return nil, err
	}
	_ = a.kv.Delete(ctx, draftKey(cb.View.ID))
	_ = a.kv.Delete(ctx, draftKey(cb.View.ID)+":seats")
	api, err := a.clientFor(ctx, cb.Team.ID)
	if err != nil {
		return nil, err
	}
	_, _, err = api.PostMessageContext(ctx, cb.User.ID, slack.MsgOptionText("Finish your plan change here: "+url, false))
	return nil, err
}

type invoiceNote struct {
	Text      string `json:"text"`
	Author    string `json:"author"`
	Channel   string `json:"channel"`
	CreatedAt int64  `json:"created_at"`
}

// shortcutInvoiceNote attaches a Slack message to the customer's next
// invoice as an internal note.
func (a *App) shortcutInvoiceNote(ctx context.Context, cb slack.InteractionCallback) error {
	note := invoiceNote{Text: cb.Message.Text, Author: cb.User.ID, Channel: cb.Channel.ID, CreatedAt: time.Now().Unix()}
	b, _ := json.Marshal(note)
	key := fmt.Sprintf("slack:note:%s:%s:%s", cb.Team.ID, cb.Channel.ID, cb.Message.Timestamp)
	return a.kv.Put(ctx, key, b, 90*24*time.Hour)
}
