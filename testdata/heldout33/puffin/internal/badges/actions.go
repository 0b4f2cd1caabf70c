package badges

import (
	"context"
	"errors"
	"fmt"

	"github.com/confhub/puffin/internal/keys"
)

// Action is a bulk operation organisers run over a selection of badges
// from the dashboard. The string argument is the free-text reason.
type Action func(*Badges, context.Context, keys.BadgeKey, string) error

// Actions are the operations the dashboard offers, by name.
var Actions = map[string]Action{
	"print":   (*Badges).MarkPrinted,
	"reprint": (*Badges).Reprint,
	"revoke":  (*Badges).Revoke,
	"restore": (*Badges).Restore,
}

// ErrUnknownAction is returned by Apply for names not in Actions.
var ErrUnknownAction = errors.New("badges: unknown action")

// Result reports a bulk operation per badge.
type Result struct {
	Done   int               `json:"done"`
	Failed map[string]string `json:"failed,omitempty"`
}

// Apply runs the named action over every selected badge.
func (b *Badges) Apply(ctx context.Context, name string, sel []keys.BadgeKey, reason string) (Result, error) {
	act, ok := Actions[name]
	if !ok {
		return Result{}, fmt.Errorf("%w: %q", ErrUnknownAction, name)
	}
	res := Result{Failed: map[string]string{}}
	for _, k := range sel {
		if err := act(b, ctx, k, reason); err != nil {
			res.Failed[k.ID] = err.Error()
			continue
		}
		res.Done++
	}
	return res, nil
}
