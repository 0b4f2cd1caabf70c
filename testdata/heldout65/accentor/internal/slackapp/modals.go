package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/accentor/accentor/internal/kvstore"
)

// reportDraft is the state of an open report modal, keyed by view ID so
// block actions inside the modal can accumulate into it before submission.
type reportDraft struct {
	TeamID   string    `json:"team_id"`
	Reporter string    `json:"reporter"`
	Subject  string    `json:"subject"`
	Severity string    `json:"severity,omitempty"`
	Evidence []string  `json:"evidence,omitempty"`
	Opened   time.Time `json:"opened"`
}

func draftKey(viewID string) string { return "slack:draft:" + viewID }

func (a *App) slashReport(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	api, err := a.clientFor(ctx, cmd.TeamID)
	if err != nil {
		return nil, err
	}
	modal := slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: "report_modal",
		Title:      slack.NewTextBlockObject(slack.PlainTextType, "Report a member", false, false),
		Submit:     slack.NewTextBlockObject(slack.PlainTextType, "File report", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Reporting *"+cmd.Text+"*", false, false), nil, nil),
			slack.NewActionBlock("severity",
				slack.NewButtonBlockElement("report_severity", "low", slack.NewTextBlockObject(slack.PlainTextType, "Low", false, false)),
				slack.NewButtonBlockElement("report_severity", "high", slack.NewTextBlockObject(slack.PlainTextType, "High", false, false)),
			),
		}},
	}
	view, err := api.OpenViewContext(ctx, cmd.TriggerID, modal)
	if err != nil {
		return nil, err
	}
	d := reportDraft{TeamID: cmd.TeamID, Reporter: cmd.UserID, Subject: cmd.Text, Opened: time.Now().UTC()}
	return nil, a.ns.PutJSON(ctx, draftKey(view.ID), d, time.Hour)
}

// updateReportDraft folds a block action into the draft for its view.
func (a *App) updateReportDraft(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	var d reportDraft
	if err := a.ns.GetJSON(ctx, draftKey(cb.View.ID), &d); err != nil {
		return nil, err
	}
	for _, act := range cb.ActionCallback.BlockActions {
		switch act.ActionID {
		case "report_severity":
			d.Severity = act.Value
		case "report_evidence":
			d.Evidence = append(d.Evidence, act.Value)
		}
	}
	return nil, a.ns.PutJSON(ctx, draftKey(cb.View.ID), d, time.Hour) // EXPECT kvrace
}

// submitReport files the report under its view ID (view IDs
// are unique) and removes the draft.
func (a *App) submitReport(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	var d reportDraft
	err := a.ns.GetJSON(ctx, draftKey(cb.View.ID), &d)
	if errors.Is(err, kvstore.ErrNotFound) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"severity": "This report expired, please start again."}), nil
	}
	if err != nil {
		return nil, err
	}
	if d.Severity == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"severity": "Pick a severity."}), nil
	}
	if err := a.ns.PutJSON(ctx, "report:"+d.TeamID+":"+cb.View.ID, d, 90*24*time.Hour); err != nil {
		return nil, err
	}
	_ = a.ns.Delete(ctx, draftKey(cb.View.ID))
	return slack.NewClearViewSubmissionResponse(), nil
}

// saveToNotes is a message shortcut that appends the message to the
// invoking user's personal notes.
func (a *App) saveToNotes(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	key := "notes:" + cb.Team.ID + ":" + cb.User.ID
	old, err := a.ns.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	line := fmt.Sprintf("%s <#%s> %s\n", time.Now().UTC().Format("2006-01-02"), cb.Channel.ID, cb.Message.Text)
	return nil, a.ns.Put(ctx, key, append(old, line...), 0) // EXPECT kvrace
}

// slashNotes shows the user's notes, newest last.
func (a *App) slashNotes(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	raw, err := a.ns.Get(ctx, "notes:"+cmd.TeamID+":"+cmd.UserID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return map[string]any{"response_type": "ephemeral", "text": "You have no notes yet."}, nil
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return map[string]any{"response_type": "ephemeral", "text": strings.Join(lines, "\n")}, nil
}
