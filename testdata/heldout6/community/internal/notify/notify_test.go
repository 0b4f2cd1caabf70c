package notify

import (
	"context"
	"testing"

	"example.com/community/internal/store/memstore"
)

func TestInbox(t *testing.T) {
	ctx := context.Background()
	s := NewService(memstore.New(), WithInboxSize(2))
	for _, txt := range []string{"a", "b", "c"} {
		if err := s.Notify(ctx, "u1", "reply", txt, ""); err != nil {
			t.Fatal(err)
		}
	}
	in, _ := s.Inbox(ctx, "u1")
	if len(in.Items) != 2 || in.Items[0].Text != "b" {
		t.Fatalf("inbox = %+v", in)
	}
	if in.Unread != 3 {
		t.Fatalf("unread = %d", in.Unread)
	}
	if err := s.MarkAllRead(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if in, _ := s.Inbox(ctx, "u1"); in.Unread != 0 || !in.Items[1].Read {
		t.Fatalf("after read = %+v", in)
	}
}
