package venuesync

// allergenDisclaimer is shown under every published menu.
const allergenDisclaimer = "" +
	"Our kitchen handles peanuts, tree nuts, sesame, soy, milk, eggs, wheat, fish, shellfish, celery, mustard, lupin, molluscs and sulphites. " +
	"Dishes are prepared in shared areas and with shared equipment, so we cannot guarantee that any item is free from traces of these allergens. " +
	"Menu descriptions do not list every ingredient; please ask a member of staff for the full ingredient list before you order. " +
	"Fried items share fryer oil with products that contain gluten, fish and crustaceans. " +
	"Vegan and vegetarian dishes are prepared alongside meat and dairy and may contain traces of animal products. " +
	"Seasonal specials and guest-chef dishes may change without notice and may not be reflected in the online allergen matrix. " +
	"If you have a severe allergy, please call the venue before placing a pickup order so the kitchen can advise you. " +
	"Prices include VAT; a discretionary service charge may be added for tables of six or more guests. " +
	"Pickup orders are packed in a shared area; allergen-free requests are handled on a best-effort basis only. " +
	"Wine and beer may contain sulphites, and some cocktails are finished with egg white or dairy foam. "
