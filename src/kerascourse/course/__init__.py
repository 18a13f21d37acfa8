"""What the lessons' notebooks import: datasets at both sizes, the hardware setup, pre-trained networks.
It runs in the student's kernel and ships whole in every autograder zip."""
