"""The Mutation root type: every mutation, with what it does and what it costs."""

from __future__ import annotations

import strawberry

from resolvers import accounts, billing, profile_data, profiles, tailoring
from resolvers import agents as agent_resolvers
from resolvers import chat as chat_resolvers
from resolvers import indexing as indexing_resolvers
from resolvers import jobs as job_resolvers
from resolvers import resumes as resume_resolvers
from schema.account_inputs import (
    AuthPayload,
    CreateApiKeyPayload,
    LogOutPayload,
    RevokeApiKeyPayload,
)
from schema.agents import (
    AgentPayload,
    DeleteAgentPayload,
)
from schema.billing import (
    BuyCreditsPayload,
    CreateCheckoutSessionPayload,
    CreatePayoutOnboardingLinkPayload,
    CreatePortalSessionPayload,
    JoinWaitlistPayload,
    RequestPayoutPayload,
)
from schema.chat import (
    AskProfilePayload,
    ChatExportPayload,
    DeleteTranscriptPayload,
)
from schema.docs import describe_arguments
from schema.indexing import ReindexProfilePayload
from schema.jobs import JobPayload
from schema.profile_payloads import (
    CertificationPayload,
    DeleteSectionEntryPayload,
    EducationPayload,
    ExperiencePayload,
    ExportProfilePayload,
    ImportProfilePayload,
    ProjectPayload,
    RecordProfileViewPayload,
    ReorderSectionPayload,
    ResetResumeContentPayload,
    SkillPayload,
    UpdateLayoutPayload,
    UpdateProfilePayload,
    UpdateThemePayload,
)
from schema.resumes import (
    CommitImportPayload,
    DeleteResumePayload,
    ExportResumeRowsPayload,
    PreviewImportPayload,
    ResumePayload,
    TailorResumePayload,
    UploadResumePayload,
)
from schema.tailoring import (
    CoverLetterPayload,
    DeleteLetterPayload,
    OutreachMessagePayload,
    RenderResumePdfPayload,
    UpdateLlmConfigPayload,
)


@strawberry.type(
    description="Every change. Expected failures are data: each payload has "
    "`userErrors` (code, field, message); only authentication and bugs are "
    "top-level errors."
)
class Mutation:
    sign_up: AuthPayload = strawberry.mutation(
        resolver=accounts.sign_up,
        description="Create a user and their own organization (plan free).",
    )
    log_in: AuthPayload = strawberry.mutation(
        resolver=accounts.log_in, description="Start a session with email and password."
    )
    refresh_token: AuthPayload = strawberry.mutation(
        resolver=accounts.refresh_token,
        description="Exchange a refresh token for a new pair. A token works once; "
        "presenting it again revokes the whole session.",
    )
    log_out: LogOutPayload = strawberry.mutation(
        resolver=accounts.log_out,
        description="End the current session: its refresh and access tokens "
        "stop working.",
    )
    change_password: AuthPayload = strawberry.mutation(
        resolver=accounts.change_password,
        description="Change the password; every session ends and a new one starts.",
    )
    create_api_key: CreateApiKeyPayload = strawberry.mutation(
        resolver=accounts.create_api_key,
        description="Owner or admin, signed in: a new API key; its secret is shown "
        "once.",
    )
    revoke_api_key: RevokeApiKeyPayload = strawberry.mutation(
        resolver=accounts.revoke_api_key,
        description="Revoke an API key; it stops working on the next request.",
    )
    update_profile: UpdateProfilePayload = strawberry.mutation(
        resolver=profiles.update_profile,
        description="Change the owner profile's fields (left out: kept).",
    )
    create_skill: SkillPayload = strawberry.mutation(
        resolver=profiles.create_skill,
        description="Add a skill to the profile; the payload has the profile too.",
    )
    update_skill: SkillPayload = strawberry.mutation(
        resolver=profiles.update_skill, description="Change a skill (left out: kept)."
    )
    delete_skill: DeleteSectionEntryPayload = strawberry.mutation(
        resolver=profiles.delete_skill, description="Delete a skill."
    )
    create_experience: ExperiencePayload = strawberry.mutation(
        resolver=profiles.create_experience, description="Add a work experience entry."
    )
    update_experience: ExperiencePayload = strawberry.mutation(
        resolver=profiles.update_experience,
        description="Change a work experience entry (left out: kept).",
    )
    delete_experience: DeleteSectionEntryPayload = strawberry.mutation(
        resolver=profiles.delete_experience,
        description="Delete a work experience entry.",
    )
    create_education: EducationPayload = strawberry.mutation(
        resolver=profiles.create_education, description="Add an education entry."
    )
    update_education: EducationPayload = strawberry.mutation(
        resolver=profiles.update_education,
        description="Change an education entry (left out: kept).",
    )
    delete_education: DeleteSectionEntryPayload = strawberry.mutation(
        resolver=profiles.delete_education, description="Delete an education entry."
    )
    create_project: ProjectPayload = strawberry.mutation(
        resolver=profiles.create_project, description="Add a project."
    )
    update_project: ProjectPayload = strawberry.mutation(
        resolver=profiles.update_project,
        description="Change a project (left out: kept).",
    )
    delete_project: DeleteSectionEntryPayload = strawberry.mutation(
        resolver=profiles.delete_project, description="Delete a project."
    )
    create_certification: CertificationPayload = strawberry.mutation(
        resolver=profiles.create_certification, description="Add a certification."
    )
    update_certification: CertificationPayload = strawberry.mutation(
        resolver=profiles.update_certification,
        description="Change a certification (left out: kept).",
    )
    delete_certification: DeleteSectionEntryPayload = strawberry.mutation(
        resolver=profiles.delete_certification, description="Delete a certification."
    )
    reorder_section: ReorderSectionPayload = strawberry.mutation(
        resolver=profiles.reorder_section,
        description="Put a section's entries in a new order; `ids` names each once.",
    )
    update_theme: UpdateThemePayload = strawberry.mutation(
        resolver=profiles.update_theme,
        description="Premium themes answer PLAN_REQUIRED on plans without them.",
    )
    update_layout: UpdateLayoutPayload = strawberry.mutation(
        resolver=profiles.update_layout,
        description="Section order, hidden sections and font; a premium font needs a "
        "plan (PLAN_REQUIRED returns the current layout).",
    )
    export_profile: ExportProfilePayload = strawberry.mutation(
        resolver=profile_data.export_profile,
        description="The profile as JSON, JSON Resume or CSV, with a signed link.",
    )
    import_profile: ImportProfilePayload = strawberry.mutation(
        resolver=profile_data.import_profile,
        description="Load a JSON or JSON Resume document into the profile, in one "
        "transaction.",
    )
    upload_resume: UploadResumePayload = strawberry.mutation(
        resolver=resume_resolvers.upload_resume,
        description="Multipart upload (send a `GraphQL-Require-Preflight` header). "
        "Costs one credit; returns at once with status PROCESSING.",
    )
    retry_resume_parse: ResumePayload = strawberry.mutation(
        resolver=resume_resolvers.retry_resume_parse,
        description="Parse a FAILED resume again.",
    )
    update_resume: ResumePayload = strawberry.mutation(
        resolver=resume_resolvers.update_resume,
        description="Change a resume's title, tags or content (a partial update).",
    )
    delete_resume: DeleteResumePayload = strawberry.mutation(
        resolver=resume_resolvers.delete_resume,
        description="Deletes the resume with its cover letters and outreach.",
    )
    set_master_resume: ResumePayload = strawberry.mutation(
        resolver=resume_resolvers.set_master_resume,
        description="Make a resume the master; changedResumes holds the new and the "
        "former master.",
    )
    export_resume_rows: ExportResumeRowsPayload = strawberry.mutation(
        resolver=resume_resolvers.export_resume_rows,
        description="The display rows as CSV behind an expiring signed link.",
    )
    preview_import: PreviewImportPayload = strawberry.mutation(
        resolver=resume_resolvers.preview_import,
        description="What importing a parsed resume (or an uploaded file) into the "
        "profile would add, change or leave, per section.",
    )
    commit_import: CommitImportPayload = strawberry.mutation(
        resolver=resume_resolvers.commit_import,
        description="Apply a preview's chosen sections in one transaction.",
    )
    tailor_resume: TailorResumePayload = strawberry.mutation(
        resolver=tailoring.tailor_resume,
        description="Starter plan and above; counts against the monthly tailoring "
        "calls. Returns the new tailored resume at once, PROCESSING; "
        "tailoringEvents follows each stage to READY or FAILED.",
    )
    generate_cover_letter: CoverLetterPayload = strawberry.mutation(
        resolver=tailoring.generate_cover_letter,
        description="A grounded cover letter for a READY resume; the job "
        "description defaults to the resume's own (NO_JOB_DESCRIPTION without).",
    )
    regenerate_cover_letter: CoverLetterPayload = strawberry.mutation(
        resolver=tailoring.regenerate_cover_letter,
        description="Write the cover letter again in place (same id).",
    )
    delete_cover_letter: DeleteLetterPayload = strawberry.mutation(
        resolver=tailoring.delete_cover_letter, description="Delete a cover letter."
    )
    generate_outreach_message: OutreachMessagePayload = strawberry.mutation(
        resolver=tailoring.generate_outreach_message,
        description="A short grounded message to a recruiter; job description as "
        "for cover letters.",
    )
    regenerate_outreach_message: OutreachMessagePayload = strawberry.mutation(
        resolver=tailoring.regenerate_outreach_message,
        description="Write the message again in place (same id).",
    )
    delete_outreach_message: DeleteLetterPayload = strawberry.mutation(
        resolver=tailoring.delete_outreach_message,
        description="Delete an outreach message.",
    )
    render_resume_pdf: RenderResumePdfPayload = strawberry.mutation(
        resolver=tailoring.render_resume_pdf,
        description="A READY resume as PDF (weasyprint), cached by content hash, "
        "behind an expiring signed link.",
    )
    update_llm_config: UpdateLlmConfigPayload = strawberry.mutation(
        resolver=tailoring.update_llm_config,
        description="Owner or admin. Fields left out keep their values.",
    )
    reset_resume_content: ResetResumeContentPayload = strawberry.mutation(
        resolver=profile_data.reset_resume_content,
        description="Delete every section entry; account, profile fields, theme and "
        "layout stay. Recorded as a security event.",
    )
    create_agent: AgentPayload = strawberry.mutation(
        resolver=agent_resolvers.create_agent,
        description="Create an agent (a worker persona) of the organization.",
    )
    update_agent: AgentPayload = strawberry.mutation(
        resolver=agent_resolvers.update_agent,
        description="Fields left out keep their values.",
    )
    delete_agent: DeleteAgentPayload = strawberry.mutation(
        resolver=agent_resolvers.delete_agent,
        description="Not the default agent (DEFAULT_AGENT), nor one with held, "
        "accepted or submitted jobs (AGENT_HAS_ACTIVE_JOBS).",
    )
    post_job: JobPayload = strawberry.mutation(
        resolver=job_resolvers.post_job,
        description="Post a job to an agent (or the best match) and hold its reward "
        "from your credits: status HELD.",
    )
    accept_job: JobPayload = strawberry.mutation(
        resolver=job_resolvers.accept_job,
        description="Receiver: HELD -> ACCEPTED.",
    )
    decline_job: JobPayload = strawberry.mutation(
        resolver=job_resolvers.decline_job,
        description="Receiver: HELD -> DECLINED; the reward goes back to the poster.",
    )
    submit_job: JobPayload = strawberry.mutation(
        resolver=job_resolvers.submit_job,
        description="Receiver: ACCEPTED -> SUBMITTED, with the work.",
    )
    approve_job: JobPayload = strawberry.mutation(
        resolver=job_resolvers.approve_job,
        description="Poster: SUBMITTED -> COMPLETED; the reward goes to the "
        "receiving agent's owner.",
    )
    reject_job: JobPayload = strawberry.mutation(
        resolver=job_resolvers.reject_job,
        description="Poster: SUBMITTED -> REJECTED; the reward goes back to the "
        "poster.",
    )
    cancel_job: JobPayload = strawberry.mutation(
        resolver=job_resolvers.cancel_job,
        description="Poster: HELD -> CANCELLED; the reward goes back.",
    )
    reindex_profile: ReindexProfilePayload = strawberry.mutation(
        resolver=indexing_resolvers.reindex_profile,
        description="Index the profile again (after the usual short debounce).",
    )
    ask_profile: AskProfilePayload = strawberry.mutation(
        resolver=chat_resolvers.ask_profile,
        description="A visitor's question about a public profile; no sign-in. "
        "Answers from public data only, with citations; limited per IP.",
    )
    delete_transcript: DeleteTranscriptPayload = strawberry.mutation(
        resolver=chat_resolvers.delete_transcript, description="Pro."
    )
    export_transcripts: ChatExportPayload = strawberry.mutation(
        resolver=chat_resolvers.export_transcripts,
        description="Transcripts as JSON or CSV behind a signed link (Pro).",
    )
    export_insights: ChatExportPayload = strawberry.mutation(
        resolver=chat_resolvers.export_insights,
        description="Views and chat engagement per day as JSON or CSV behind a "
        "signed link (Starter and above).",
    )
    create_checkout_session: CreateCheckoutSessionPayload = strawberry.mutation(
        resolver=billing.create_checkout_session,
        description="Owner or admin. Stripe Checkout for a subscription; when one "
        "exists, the customer portal instead (redirectedToPortal).",
    )
    create_portal_session: CreatePortalSessionPayload = strawberry.mutation(
        resolver=billing.create_portal_session,
        description="Owner or admin. The Stripe customer portal (NO_SUBSCRIPTION "
        "without a Stripe customer).",
    )
    buy_credits: BuyCreditsPayload = strawberry.mutation(
        resolver=billing.buy_credits,
        description="Owner or admin. Stripe Checkout for a credit pack; the credits "
        "land once Stripe reports the payment.",
    )
    join_waitlist: JoinWaitlistPayload = strawberry.mutation(
        resolver=billing.join_waitlist,
        description="Sign the organization up for a plan not sold yet.",
    )
    create_payout_onboarding_link: CreatePayoutOnboardingLinkPayload = (
        strawberry.mutation(
            resolver=billing.create_payout_onboarding_link,
            description="Stripe Connect (Express) onboarding for the viewer's user, "
            "to receive payouts of earned credits.",
        )
    )
    request_payout: RequestPayoutPayload = strawberry.mutation(
        resolver=billing.request_payout,
        description="Owner or admin, signed in. Transfer earned credits to the "
        "user's Connect account (PAYOUTS_NOT_ENABLED, INSUFFICIENT_CREDITS).",
    )
    record_profile_view: RecordProfileViewPayload = strawberry.mutation(
        resolver=profiles.record_profile_view,
        description="Count a visit of a public profile in its owner's insights; "
        "no authentication needed. Front ends call it once per visit; one visit "
        "per IP and profile counts in 24 hours.",
    )


describe_arguments(Mutation, {}, input_from_type=True)
