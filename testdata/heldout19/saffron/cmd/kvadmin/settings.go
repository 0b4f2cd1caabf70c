package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"example.com/saffron/internal/cfapi"
)

// allergenLegend is the legend printed under every menu, attached to the
// published menu keys so the edge can render it without another read.
const allergenLegend = "Allergen key. (1) Cereals containing gluten, namely wheat (such as spelt and khorasan wheat), rye, barley, oats. " +
	"(2) Crustaceans, for example prawns, crabs, lobster, crayfish. (3) Eggs and products thereof. (4) Fish and products thereof, " +
	"including fish sauce and Worcestershire sauce. (5) Peanuts and products thereof. (6) Soybeans, including tofu, edamame, soy sauce " +
	"and miso. (7) Milk, including lactose, butter, cream, cheese and yoghurt. (8) Nuts, namely almonds, hazelnuts, walnuts, cashews, " +
	"pecans, Brazil nuts, pistachios and macadamia nuts. (9) Celery and celeriac, including celery salt and seeds. (10) Mustard, " +
	"including mustard seeds, powder and leaves. (11) Sesame seeds, including tahini, sesame oil and hummus. (12) Sulphur dioxide and " +
	"sulphites at concentrations of more than ten parts per million, found in wine, dried fruit and some vinegars. (13) Lupin, " +
	"including lupin flour and seeds. (14) Molluscs, for example mussels, oysters, squid, snails. Our kitchen handles all fourteen " +
	"allergens; dishes are prepared in shared areas and we cannot guarantee the absence of traces. Please ask your server for the " +
	"full ingredient list of any dish before ordering, and tell us about any allergy or intolerance when you book your table."

func tag(ctx context.Context, c *cfapi.Client, args []string) error {
	fs, ns, prefix := flags("tag")
	_ = fs.Parse(args)
	if err := need(fs, ns); err != nil {
		return err
	}
	if *prefix == "" {
		*prefix = "menu:published:"
	}
	meta := map[string]string{"allergens": allergenLegend, "tagged": time.Now().UTC().Format(time.DateOnly)}
	return walk(ctx, c, *ns, *prefix, 10, func(keys []cfapi.Key) error {
		for _, batch := range chunk(names(keys), 100) {
			values, err := c.BulkGet(ctx, *ns, batch)
			if err != nil {
				return err
			}
			for _, k := range batch {
				v := values[k]
				if v == nil {
					continue
				}
				if err := c.Put(ctx, *ns, k, []byte(*v), cfapi.WriteOptions{Metadata: meta}); err != nil { // EXPECT kvlimits
					return err
				}
			}
		}
		return nil
	})
}

var defaults = map[string]string{
	"moderation:auto-hide-threshold": "0.92",
	"menu:specials:default":          `{"specials":[]}`,
	"settings:booking-horizon-days":  "60",
}

func seed(ctx context.Context, c *cfapi.Client, args []string) error {
	fs, ns, _ := flags("seed")
	_ = fs.Parse(args)
	if err := need(fs, ns); err != nil {
		return err
	}
	var errs []error
	for key, value := range defaults {
		if _, err := c.Get(ctx, *ns, key); err != nil { // EXPECT kvnull
			fmt.Fprintf(os.Stderr, "setting %s\n", key)
			errs = append(errs, c.Put(ctx, *ns, key, []byte(value), cfapi.WriteOptions{}))
		}
	}
	return errors.Join(errs...)
}
