//! The provider-neutral shape of one chat invocation: a system prompt and alternating user and
//! assistant turns go in, one text completion with its token counts comes out.
//!
//! Invariant: this is the only seam between prompting and providers; nothing above it knows a
//! wire protocol, nothing below it knows a prompt.

use crate::AttemptError;
use crate::bedrock::BedrockConverse;
use crate::openai_compatible::OpenAiChat;

/// Who wrote a turn of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChatRole {
    /// The platform, on behalf of the user.
    User,
    /// The model.
    Assistant,
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChatMessage {
    pub(crate) role: ChatRole,
    pub(crate) text: String,
}

/// Everything one invocation sends; sampling options belong to the transport.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChatRequest<'a> {
    /// Instructions, sent as the provider's system prompt.
    pub(crate) system: &'a str,
    /// Turns in order, starting and ending with a user turn.
    pub(crate) messages: &'a [ChatMessage],
}

/// Why the model stopped writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopKind {
    /// It finished (end of turn or a stop sequence).
    Finished,
    /// It hit the maximum number of output tokens; the text is cut off.
    MaxTokens,
    /// A content filter or guardrail withheld the answer.
    ContentFiltered,
}

/// The model's answer to one invocation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Completion {
    /// Text of the answer, every text block joined.
    pub(crate) text: String,
    /// Why the model stopped.
    pub(crate) stop: StopKind,
    /// Prompt tokens as the provider counted them (0 when it reports none).
    pub(crate) input_tokens: u64,
    /// Answer tokens as the provider counted them (0 when it reports none).
    pub(crate) output_tokens: u64,
}

/// A provider able to run one invocation.
#[derive(Debug)]
pub(crate) enum Transport {
    /// Amazon Bedrock, Converse API.
    Bedrock(BedrockConverse),
    /// Any OpenAI-compatible `/v1/chat/completions` server.
    OpenAiCompatible(OpenAiChat),
}

impl Transport {
    /// One attempt, without retries.
    pub(crate) async fn complete(
        &self,
        request: ChatRequest<'_>,
    ) -> Result<Completion, AttemptError> {
        match self {
            Transport::Bedrock(bedrock) => bedrock.complete(request).await,
            Transport::OpenAiCompatible(openai) => openai.complete(request).await,
        }
    }
}
