package reviews

import (
	"context"
	"testing"

	"example.com/saffron/internal/store/memstore"
)

func TestModerationQueue(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	cmds, q := NewCommands(m, m), NewQueries(m, m)
	var ids []string
	for _, body := range []string{"Lovely saffron risotto.", "Slow service but great wine.", "Spam spam spam"} {
		rv, err := cmds.Submit(ctx, "olive-soho", "guest", body, 4)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rv.ID)
	}
	if _, err := cmds.Decide(ctx, "olive-soho", ids[0], "mod-1", true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := cmds.Decide(ctx, "olive-soho", ids[2], "mod-1", false, "spam"); err != nil {
		t.Fatal(err)
	}
	pending, next, err := q.PendingQueue(ctx, "olive-soho", "")
	if err != nil || next != "" || len(pending) != 1 || pending[0].ID != ids[1] {
		t.Fatalf("pending=%+v next=%q err=%v", pending, next, err)
	}
	if err := cmds.Flag(ctx, "olive-soho", ids[0], "not about this restaurant"); err != nil {
		t.Fatal(err)
	}
	if err := cmds.Flag(ctx, "olive-soho", ids[1], "x"); err != ErrNotFound {
		t.Fatalf("flag on pending review: %v", err)
	}
}
