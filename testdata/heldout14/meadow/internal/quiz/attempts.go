package quiz

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNoAttemptsLeft is returned when a learner has used every attempt.
var ErrNoAttemptsLeft = errors.New("quiz: no attempts left")

// AttemptGate limits how many times a learner may start a graded quiz.
type AttemptGate struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	Max       int
}

func (g AttemptGate) key(tenantID, quizID, learner string) string {
	return strings.Join([]string{"quiz-attempts", tenantID, quizID, learner}, ":")
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Begin records the start of an attempt and returns its ordinal.
func (g AttemptGate) Begin(ctx context.Context, tenantID, quizID, learner string) (int, error) {
	key := g.key(tenantID, quizID, learner)
	used := 0
	resp, err := g.Client.KV.Namespaces.Values.Get(ctx, g.Namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(g.AccountID),
	})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return 0, rerr
		}
		used, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	case isNotFound(err):
	default:
		return 0, err
	}
	if used >= g.Max {
		return used, ErrNoAttemptsLeft
	}
	_, err = g.Client.KV.Namespaces.Values.Update(ctx, g.Namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(g.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(used + 1))),
	})
	if err != nil {
		return 0, err
	}
	return used + 1, nil
}
