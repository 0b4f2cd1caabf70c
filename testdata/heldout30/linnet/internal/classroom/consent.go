package classroom

// consentNoticeV3 is the notice a teacher accepts before minors can join a
// class. Acceptance is recorded per notice text, so publishing a new notice
// requires every class to accept again.
const consentNoticeV3 = "By creating this classroom you confirm that you are a teacher or " +
	"educational staff member acting on behalf of your school, that you have obtained any " +
	"consent required under applicable law from the parents or guardians of learners under " +
	"the age of sixteen, that you will only invite learners who belong to your school, that " +
	"you will not upload recordings of learners to any third-party service, that pronunciation " +
	"recordings are processed only to provide feedback and are deleted after thirty days, and " +
	"that you have read and accept the Linnet Classroom Data Processing Addendum, version 3, " +
	"including its annexes on sub-processors, international transfers and security measures."
