package daypass

// houseRules is attached to every day-pass receipt so that the door
// tablets can show it without another lookup.
const houseRules = "Welcome to Grebe. Your day pass is valid from 08:00 to 20:00 on the date shown, " +
	"at the site shown only. Please check in at the front desk or with your door code when you arrive. " +
	"Hot desks are first come, first served; dedicated desks are marked with a blue name card and are for " +
	"members only. Meeting rooms can be booked by the hour from the Grebe app or at the front desk, subject " +
	"to availability. Phone booths are limited to 30 minutes when others are waiting. Please keep calls out " +
	"of the quiet zone and use headphones for video meetings in the open areas. Coffee, tea and fruit are " +
	"included; the kitchen closes for cleaning between 14:00 and 14:30. Printing is charged per page from " +
	"the credits on your pass; unused credits do not carry over. Pets are welcome at sites with a paw sign " +
	"at the entrance, on a leash and away from the kitchen. Lockers are emptied every evening at 20:30. " +
	"Guests of day-pass holders must buy their own pass. Lost property is kept for 30 days at the front " +
	"desk. In an emergency follow the green signs to the nearest exit and gather at the assembly point " +
	"shown on the map next to the lifts. Thank you for helping us keep the space friendly and productive."

const (
	receiptMetaOpen  = `{"v":1,"rules":"`
	receiptMetaClose = `"}`
)
