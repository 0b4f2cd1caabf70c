package invoices_test

import (
	"context"
	"testing"
	"time"

	"example.com/billing/internal/invoices"
	"example.com/billing/internal/storage/memstore"
)

func seed(t *testing.T, c *invoices.Cache, inv invoices.Invoice) {
	t.Helper()
	if err := c.Put(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
}

func TestRecentNewestFirst(t *testing.T) {
	c := invoices.New(memstore.New(), time.Hour, 50)
	seed(t, c, invoices.Invoice{ID: "in_1", CustomerID: "cus_1", Status: "paid", AmountCents: 1200})
	seed(t, c, invoices.Invoice{ID: "in_2", CustomerID: "cus_1", Status: "open", AmountCents: 900})
	got, err := c.Recent(context.Background(), "cus_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "in_2" {
		t.Fatalf("Recent = %+v", got)
	}
}

func TestSummariesFromMetadata(t *testing.T) {
	c := invoices.New(memstore.New(), time.Hour, 50)
	seed(t, c, invoices.Invoice{ID: "in_9", CustomerID: "cus_2", Status: "open", AmountCents: 4200})
	sums, next, err := c.Summaries(context.Background(), "cus_2", "")
	if err != nil || next != "" {
		t.Fatalf("Summaries: next=%q err=%v", next, err)
	}
	if len(sums) != 1 || sums[0].ID != "in_9" || sums[0].AmountCents != 4200 || sums[0].Status != "open" {
		t.Fatalf("Summaries = %+v", sums)
	}
}

func TestAmountDue(t *testing.T) {
	c := invoices.New(memstore.New(), time.Hour, 50)
	seed(t, c, invoices.Invoice{ID: "in_3", CustomerID: "cus_3", Status: "open", AmountCents: 700, Currency: "eur"})
	amt, cur, err := c.AmountDue(context.Background(), "cus_3", "in_3")
	if err != nil || amt != 700 || cur != "eur" {
		t.Fatalf("AmountDue = %d %s %v", amt, cur, err)
	}
}
